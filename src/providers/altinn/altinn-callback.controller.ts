import { Controller, Get, Header, Query, Redirect } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/scopes.decorator';
import { ApiProblems } from '../../common/api-problems.decorator';
import { RequestId } from '../../common/request-id';
import { humanPaced } from '../upstream/upstream-circuit';
import { AltinnFlowCompletion } from './altinn-flow.completion';

/** Altinn's redirect back to the bank (tax-assessment and income flows, Altinn 3 or 2): reached by the customer's browser. */
@ApiTags('consent-flows')
@Controller('v1/consent-flows')
export class AltinnCallbackController {
  constructor(private readonly completion: AltinnFlowCompletion) {}

  @Get('callback/altinn')
  @Public()
  @Redirect(undefined, 303)
  @Header('referrer-policy', 'no-referrer')
  @ApiOperation({
    operationId: 'completeAltinnConsentFlow',
    summary: "Altinn's redirect back to the bank (browser)",
    description:
      'Consumes the state once, reads the consent request at Altinn (Status is never trusted), collects the data once with the consent token, checks the identity and redirects (303) to the returnUrl with flowId and status. ' +
      "A flow started through Altinn 2 (ALTINN_VERSION=2) brings Altinn 2's AuthorizationCode instead: it is exchanged for a token that is verified before any use. " +
      'A 400 is an HTML page for Accept: text/html.',
  })
  @ApiQuery({ name: 'state', required: true, description: 'The state this service put in the redirectUrl (one-time)', schema: { type: 'string' } })
  @ApiQuery({ name: 'Status', required: false, description: "Altinn's OK or Failed (informative only)", schema: { type: 'string', example: 'OK' } })
  @ApiQuery({ name: 'AuthorizationCode', required: false, description: "Altinn 2's authorization code with Status=OK (ALTINN_VERSION=2): exchanged with our ApiKey, kept only encrypted, never logged", schema: { type: 'string' } })
  @ApiQuery({ name: 'ErrorMessage', required: false, description: "Altinn's text with Failed (never shown or matched)", schema: { type: 'string' } })
  @ApiProblems(303, undefined, ['INVALID_STATE', 'DEPENDENCY_UNAVAILABLE'])
  async callback(@Query() query: Record<string, unknown>, @RequestId() requestId: string): Promise<{ url: string }> {
    // Human-paced: the customer has just answered at Altinn; its calls go out even while a breaker is open.
    const target = await humanPaced(() => this.completion.complete(query, requestId));
    return { url: target.toString() };
  }
}

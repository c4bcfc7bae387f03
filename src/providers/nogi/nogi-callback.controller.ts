import { Controller, Get, Header, Redirect, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/scopes.decorator';
import { ApiProblems } from '../../common/api-problems.decorator';
import { AppError } from '../../common/problem';
import { RequestId } from '../../common/request-id';
import { CallbackHttpRequest, NogiFlowCompletion } from './nogi-flow.completion';

/** NoGi's redirect back to the bank: the one route of a debt flow a browser reaches from the internet. */
@ApiTags('consent-flows')
@Controller('v1/consent-flows')
export class NogiCallbackController {
  constructor(private readonly completion: NogiFlowCompletion) {}

  /** The redirect_uri registered at NoGi; the only route a browser reaches from the internet. */
  @Get('callback')
  @Public()
  @Redirect(undefined, 303)
  @Header('referrer-policy', 'no-referrer')
  @ApiOperation({
    operationId: 'completeConsentFlow',
    summary: "NoGi's redirect back to the bank (browser)",
    description:
      'Consumes the state once, exchanges the code, collects the debt once, checks the identity and redirects (303) to the returnUrl with flowId and status. ' +
      'NoGi sends either code and scope, or error and error_description, always with state. A 400 is an HTML page for Accept: text/html.',
  })
  @ApiQuery({ name: 'state', required: true, description: 'The state this service sent to NoGi (one-time)', schema: { type: 'string' } })
  @ApiQuery({ name: 'code', required: false, description: "NoGi's authorization code (success)", schema: { type: 'string' } })
  @ApiQuery({ name: 'scope', required: false, description: 'The granted scope, base scopes only (success)', schema: { type: 'string', example: 'debt.unsecured.presentation openid' } })
  @ApiQuery({ name: 'error', required: false, description: "NoGi's error code (failure)", schema: { type: 'string', example: 'consent_denied' } })
  @ApiQuery({ name: 'error_description', required: false, description: "NoGi's error text (failure; never shown to the customer)", schema: { type: 'string' } })
  @ApiProblems(303, undefined, ['INVALID_STATE', 'VALIDATION_FAILED', 'DEPENDENCY_UNAVAILABLE'])
  async callback(@Req() request: CallbackHttpRequest, @Res({ passthrough: true }) response: unknown, @RequestId() requestId: string): Promise<{ url: string }> {
    const query = request.query;
    let target: URL;
    if (typeof query.error === 'string') target = await this.completion.fail(query.state, query.error, requestId);
    else if (typeof query.code === 'string') target = await this.completion.complete(request, response, requestId);
    else throw AppError.validation([{ field: 'code', message: 'the callback needs either code and state, or error and state' }]);
    return { url: target.toString() };
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AppError } from '../../common/problem';
import { NogiHttpClient, NogiResponse, nogiFailure, nogiStatusFailure } from './nogi-http.client';
import { NogiTokenClient } from './nogi-token.client';

export interface AgreementRequest {
  nin: string;
  /** NoGi's base scope, e.g. debt.unsecured.presentation. */
  scope: string;
  durationDays: number;
  clientConsentId: string;
}

export interface RegisteredAgreement {
  nogiConsentId: string;
  expiresAt: Date;
  scope: string;
}

/**
 * NoGi's Agreement API (`PUT /v1/consent/agreement`): registers a consent captured in the bank's
 * own channel. Errors are Spring's `{status, path, error, message, requestId}`, never passed on.
 */
@Injectable()
export class NogiAgreementClient {
  private readonly logger = new Logger(NogiAgreementClient.name);

  constructor(
    private readonly config: AppConfig,
    private readonly http: NogiHttpClient,
    private readonly tokens: NogiTokenClient,
  ) {}

  async register(req: AgreementRequest, traceId?: string): Promise<RegisteredAgreement> {
    const body = JSON.stringify({
      nin: req.nin,
      scope_of_consent: req.scope,
      // An integer, as the spec says (NoGi's Python sample sends a string).
      consent_duration_days: req.durationDays,
      client_consent_id: req.clientConsentId,
    });
    let response: NogiResponse;
    try {
      // NoGi treats an identical PUT as the same registration (409 only for different data), so retrying is safe.
      response = await this.http.sendIdempotent('agreement.register', () =>
        this.tokens.withToken('agreement', (token) =>
          this.http.send({
            operation: 'agreement.register',
            method: 'PUT',
            url: `${this.config.nogiApiUrl}/v1/consent/agreement`,
            traceId,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body,
          }),
        ),
      );
    } catch (error) {
      throw nogiFailure(error, 'agreement');
    }
    // The Agreement API answers 200, not 201.
    if (response.status === 200 || response.status === 201) return parse(response.body);
    const spring = response.body as { requestId?: unknown } | undefined;
    this.logger.warn({ status: response.status, nogiRequestId: typeof spring?.requestId === 'string' ? spring.requestId.slice(0, 80) : undefined }, 'NoGi Agreement API refused a registration');
    if (response.status === 400) throw new AppError('CONSENT_REJECTED', 'NoGi refused to register the consent with these data.');
    if (response.status === 409) throw new AppError('CONSENT_CONFLICT', 'The clientConsentId is already registered at NoGi with other data.');
    throw nogiStatusFailure(response.status, 'agreement');
  }
}

function parse(body: unknown): RegisteredAgreement {
  const b = body as { consent?: { id?: unknown; expires_at?: unknown; scope_of_consent?: unknown } } | undefined;
  const id = b?.consent?.id;
  const expiresAt = typeof b?.consent?.expires_at === 'string' ? new Date(b.consent.expires_at) : undefined;
  const scope = b?.consent?.scope_of_consent;
  if (typeof id !== 'string' || !id || !expiresAt || Number.isNaN(expiresAt.getTime()) || typeof scope !== 'string') {
    throw new AppError('NOGI_BAD_RESPONSE', 'NoGi answered the registration unexpectedly.');
  }
  return { nogiConsentId: id, expiresAt, scope: scope.replace(/\.\d+$/, '') };
}

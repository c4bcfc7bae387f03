import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { isNogiDebtInformation, type NogiDebtInformation } from './debt.mapper';
import { NogiHttpClient, NogiResponse, nogiBadResponse, nogiFailure, nogiStatusFailure } from './nogi-http.client';
import { assertSafeNogiId } from './nogi-consent-id';
import { NogiTokenClient } from './nogi-token.client';

/** Why NoGi says a consent cannot be used, from its `error_description` (wording is not a contract). */
export type InvalidConsentReason = 'expired' | 'revoked' | 'used' | 'not_found' | 'other';

/** NoGi answered 403 `invalid consent`: the consent is over at NoGi; callers record that. */
export class NogiInvalidConsentError extends Error {
  constructor(readonly reason: InvalidConsentReason) {
    super(`NoGi says the consent is not valid (${reason})`);
    this.name = 'NogiInvalidConsentError';
  }
}

export interface NogiConsentStatus {
  active: boolean;
  /** NoGi's `expires_at` (epoch seconds) converted; epoch 0 when NoGi does not know the consent. */
  expiresAt: Date;
}

/**
 * NoGi's Debt API with a client-credentials token: debt by consent id, consent status, revoke.
 * Error bodies are `{error, error_description, trace_id}`; expired tokens answer 403 (retried once
 * by the token client), and `invalid consent` means the consent itself is over.
 */
@Injectable()
export class NogiDebtClient {
  private readonly logger = new Logger(NogiDebtClient.name);

  constructor(
    private readonly config: AppConfig,
    private readonly http: NogiHttpClient,
    private readonly tokens: NogiTokenClient,
  ) {}

  async getDebt(nogiConsentId: string, traceId?: string): Promise<NogiDebtInformation> {
    const response = await this.call('debt.get_by_consent', 'GET', `/v1/debt/${assertSafeNogiId(nogiConsentId)}`, traceId);
    if (response.status === 200 && isNogiDebtInformation(response.body)) return response.body;
    throw this.failure(response, 'debt.get_by_consent');
  }

  async status(nogiConsentId: string, traceId?: string): Promise<NogiConsentStatus> {
    const response = await this.call('debt.status', 'GET', `/v1/debt/${assertSafeNogiId(nogiConsentId)}/status`, traceId);
    const body = response.body as { active?: unknown; expires_at?: unknown } | undefined;
    if (response.status === 200 && typeof body?.active === 'boolean' && typeof body.expires_at === 'number') {
      // Unlike the agreement API's ISO strings, /status gives epoch seconds.
      return { active: body.active, expiresAt: new Date(body.expires_at * 1000) };
    }
    throw this.failure(response, 'debt.status');
  }

  /** `already_invalid`: NoGi's 403 `invalid consent` on DELETE is final (the contract records `revoked`). */
  async revoke(nogiConsentId: string, traceId?: string): Promise<'revoked' | 'already_invalid'> {
    const response = await this.call('debt.revoke', 'DELETE', `/v1/debt/${assertSafeNogiId(nogiConsentId)}`, traceId);
    if (response.status === 204 || response.status === 200) return 'revoked';
    const error = this.failure(response, 'debt.revoke');
    if (error instanceof NogiInvalidConsentError) return 'already_invalid';
    throw error;
  }

  private async call(operation: string, method: 'GET' | 'DELETE', path: string, traceId: string | undefined): Promise<NogiResponse> {
    const url = `${this.config.nogiApiUrl}${path}`;
    try {
      return await this.http.sendIdempotent(operation, () =>
        this.tokens.withToken('debt', (token) => this.http.send({ operation, method, url, traceId, headers: { authorization: `Bearer ${token}` } })),
      );
    } catch (error) {
      throw nogiFailure(error, operation);
    }
  }

  private failure(response: NogiResponse, operation: string): Error {
    const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as { error?: unknown; error_description?: unknown; trace_id?: unknown };
    // Only NoGi's trace id is logged, never its body.
    this.logger.warn({ operation, status: response.status, traceId: typeof body.trace_id === 'string' ? body.trace_id.slice(0, 64) : undefined }, 'NoGi Debt API refused a call');
    if (response.status === 403 && typeof body.error === 'string' && /invalid consent/i.test(body.error)) {
      return new NogiInvalidConsentError(reasonOf(body.error_description));
    }
    if (response.status === 200) return nogiBadResponse(200, operation, `NoGi answered unexpectedly (${operation}).`);
    return nogiStatusFailure(response.status, operation);
  }
}

function reasonOf(description: unknown): InvalidConsentReason {
  const text = typeof description === 'string' ? description : '';
  if (/expired/i.test(text)) return 'expired';
  if (/revoked|archived/i.test(text)) return 'revoked';
  if (/used/i.test(text)) return 'used';
  if (/not found/i.test(text)) return 'not_found';
  return 'other';
}

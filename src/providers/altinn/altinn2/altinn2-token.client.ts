import { upstreamBadResponse, upstreamFailure, upstreamStatusFailure, UpstreamResponse } from '../../upstream/upstream';
import type { AltinnHttpClient } from '../altinn-http.client';

/**
 * Altinn 2 refused to exchange the authorization code (403: the ApiKey is not ours for this code,
 * or the code is unknown or expired). The flow ends with `token_exchange_failed`.
 */
export class Altinn2TokenRefusedError extends Error {
  readonly flowError = 'token_exchange_failed' as const;

  constructor(readonly status: number) {
    super(`Altinn 2 refused the authorization code (HTTP ${status})`);
    this.name = 'Altinn2TokenRefusedError';
  }
}

const OPERATION = 'altinn2.token.exchange';
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Exchanges an Altinn 2 authorization code for Altinn's self-contained consent token:
 * `GET {ALTINN2_URL}/api/authorization/token?authcode=<code>` with our `ApiKey`. The token lives
 * 30 s; the same code fetches a new one until the consent's ValidToDate, so the call is
 * idempotent and retried on 5xx. The answer is verified by Altinn2TokenVerifier before any use.
 */
export class Altinn2TokenClient {
  constructor(
    private readonly http: AltinnHttpClient,
    private readonly settings: { url: string; apiKey: string },
  ) {}

  async token(authorizationCode: string): Promise<string> {
    const url = `${this.settings.url}/api/authorization/token?authcode=${encodeURIComponent(authorizationCode)}`;
    let response: UpstreamResponse;
    try {
      response = await this.http.sendIdempotent(OPERATION, () =>
        this.http.send({ operation: OPERATION, method: 'GET', url, headers: { apikey: this.settings.apiKey, accept: 'application/json' } }),
      );
    } catch (error) {
      throw upstreamFailure(error, 'Altinn 2 token');
    }
    if (response.status === 403) throw new Altinn2TokenRefusedError(403);
    if (response.status !== 200) throw upstreamStatusFailure('altinn', response.status, 'Altinn 2 token');
    const jwt = tokenFromBody(response);
    if (!jwt) throw upstreamBadResponse('altinn', response.status, 'Altinn 2 token', 'Altinn 2 answered the token request without a token.');
    return jwt;
  }
}

/** The JWT from the body: a JSON string (the documented form, whatever the content type says) or the raw token. */
function tokenFromBody(response: UpstreamResponse): string | undefined {
  let value: unknown = response.body;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('"')) {
      try {
        value = JSON.parse(text);
      } catch {
        return undefined;
      }
    } else {
      value = text;
    }
  }
  return typeof value === 'string' && JWT_SHAPE.test(value) ? value : undefined;
}

import { Logger } from '@nestjs/common';
import { AppError } from '../../../common/problem';
import { UpstreamResponse, upstreamBadResponse, upstreamFailure, upstreamStatusFailure } from '../../upstream/upstream';
import type { SkatteetatenHttpClient } from './skatteetaten-http.client';

/**
 * How a call is authorised: Altinn 3 sends only the consent token; Altinn 2 sends a Maskinporten
 * token with the data scope plus the Altinn consent JWT in `AltinnSamtykke`.
 */
export type SkatteetatenAuth = { bearer: string } | { bearer: string; altinnSamtykke: string };

/** Skatteetaten says the consent token does not allow this (SSG-010 / IM-010, 403): re-check the consent at Altinn. */
export class SkatteetatenConsentError extends Error {
  constructor(readonly kode: string) {
    super(`Skatteetaten refused the consent (${kode})`);
    this.name = 'SkatteetatenConsentError';
  }
}

/**
 * Skatteetaten did not accept the bearer token (HTTP 401; SSG-004 / IM-004 by the API tables, but
 * feil.md swaps 401 and 403, so the status decides, not the kode). To our caller it is the same
 * SKATTEETATEN_REJECTED as before; a caller holding a cached token may drop it and try once more
 * with a fresh one (withFreshTokenOnUnauthorized).
 */
export class SkatteetatenUnauthorizedError extends AppError {
  constructor(
    readonly kode: string | undefined,
    readonly operation: string,
  ) {
    const rejected = upstreamStatusFailure('skatteetaten', 401, operation);
    super(rejected.code, rejected.detail, rejected.extras);
    this.name = 'SkatteetatenUnauthorizedError';
  }
}

export type SkatteetatenOutcome = { kind: 'ok'; body: unknown } | { kind: 'no_data'; kode: string };

/**
 * One GET to Skatteetaten (idempotent: retried on 5xx and network errors within the timeout).
 * `operation` is a fixed name: the URL holds the national id and is never logged or labelled.
 * Error bodies `{kode, melding, korrelasjonsid}` are mapped by `kode`; only kode and korrelasjonsid are logged.
 * A 401 is mapped by its status alone (SkatteetatenUnauthorizedError), whatever the kode.
 */
export async function getFromSkatteetaten(http: SkatteetatenHttpClient, logger: Logger, operation: string, url: string, auth: SkatteetatenAuth, prefix: 'SSG' | 'IM'): Promise<SkatteetatenOutcome> {
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${auth.bearer}` };
  if ('altinnSamtykke' in auth) headers.AltinnSamtykke = auth.altinnSamtykke;
  let response: UpstreamResponse;
  try {
    response = await http.sendIdempotent(operation, () => http.send({ operation, method: 'GET', url, headers }));
  } catch (error) {
    throw upstreamFailure(error, operation);
  }
  if (response.status === 200) return { kind: 'ok', body: response.body };
  const body = response.body as { kode?: unknown; korrelasjonsid?: unknown } | undefined;
  const kode = typeof body?.kode === 'string' && /^[A-Z]{2,4}-\d{3}$/.test(body.kode) ? body.kode : undefined;
  const korrelasjonsid = typeof body?.korrelasjonsid === 'string' ? body.korrelasjonsid.slice(0, 64) : undefined;
  logger.warn({ operation, status: response.status, kode, korrelasjonsid }, 'Skatteetaten refused a call');
  if (response.status === 404 && kode === `${prefix}-008`) return { kind: 'no_data', kode };
  if (response.status === 403 && kode === `${prefix}-010`) throw new SkatteetatenConsentError(kode);
  if (response.status === 401) throw new SkatteetatenUnauthorizedError(kode, operation);
  if (response.status >= 200 && response.status < 300) throw upstreamBadResponse('skatteetaten', response.status, operation, `Skatteetaten answered unexpectedly (${operation}).`);
  throw upstreamStatusFailure('skatteetaten', response.status, operation);
}

/** Skatteetaten answered 200 with nothing we can use. */
export function skatteetatenBadResponse(operation: string): Error {
  return upstreamBadResponse('skatteetaten', 200, operation, `Skatteetaten answered with data we cannot use (${operation}).`);
}

/** The Maskinporten token a Skatteetaten call is made with: the cached one, and how to drop it from the cache. */
export interface SkatteetatenBearer {
  get(): Promise<string>;
  /** Drops `token` from the cache, only if it is still the cached one. */
  invalidate(token: string): Promise<void>;
}

const retryLogger = new Logger('SkatteetatenTokenRetry');

/**
 * `call` with the cached token; when Skatteetaten answers 401 (SkatteetatenUnauthorizedError) the
 * token is dropped from the cache and `call` is made once more with a freshly granted one. Exactly
 * one retry: a second 401 (or a cache that gives the refused token back) is thrown as it came,
 * SKATTEETATEN_REJECTED. Neither token is logged.
 */
export async function withFreshTokenOnUnauthorized<T>(bearer: SkatteetatenBearer, call: (token: string) => Promise<T>): Promise<T> {
  const token = await bearer.get();
  try {
    return await call(token);
  } catch (error) {
    if (!(error instanceof SkatteetatenUnauthorizedError)) throw error;
    retryLogger.warn({ operation: error.operation, kode: error.kode }, 'Skatteetaten refused the token: trying once more with a fresh one');
    try {
      await bearer.invalidate(token);
    } catch {
      // The refused token could not be dropped: a retry would send it again.
      throw error;
    }
    const fresh = await bearer.get();
    if (fresh === token) throw error;
    return call(fresh);
  }
}

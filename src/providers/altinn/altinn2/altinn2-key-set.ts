import { importJWK, importX509, type JWK } from 'jose';
import { upstreamBadResponse, upstreamFailure, upstreamStatusFailure, UpstreamResponse } from '../../upstream/upstream';
import type { AltinnHttpClient } from '../altinn-http.client';

/** Altinn's notes: cache the key set at most a day, per its Cache-Control. */
const MAX_CACHE_SECONDS = 86_400;
/** When Altinn sends no max-age (not documented): five minutes. */
const DEFAULT_CACHE_SECONDS = 300;

type VerifyKey = Awaited<ReturnType<typeof importX509>>;

interface KnownKey {
  kid?: string;
  x5t?: string;
  key: VerifyKey;
}

export interface Altinn2KeySetOptions {
  now: () => number;
  /** Least time between two fetches caused by an unknown key, so forged `kid`s cannot flood Altinn. */
  refetchCooldownMs: number;
}

/**
 * Altinn 2's signing keys (`{ALTINN2_URL}/api/metadata/jwk`, a primary and a secondary), matched
 * on `kid` or `x5t`, cached per the answer's Cache-Control max-age (at most a day). A key not in
 * the set causes one refetch (Altinn rotated), at most one per cooldown. Fetches are single-flight.
 * A key set that cannot be fetched is Altinn's failure (ALTINN_*), never a refused token.
 */
export class Altinn2KeySet {
  private keys: KnownKey[] = [];
  private freshUntil = 0;
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  private lastForcedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly http: AltinnHttpClient,
    private readonly jwksUrl: string,
    private readonly options: Altinn2KeySetOptions,
  ) {}

  async find(kid: string | undefined, x5t: string | undefined): Promise<VerifyKey | undefined> {
    if (!kid && !x5t) return undefined;
    let fetched = false;
    if (this.options.now() >= this.freshUntil) {
      await this.refresh();
      fetched = true;
    }
    let found = this.lookup(kid, x5t);
    // Once per unknown key (not when this very call just fetched), at most once per cooldown.
    if (!found && !fetched && this.options.now() - this.lastForcedAt >= this.options.refetchCooldownMs) {
      this.lastForcedAt = this.options.now();
      await this.refresh();
      found = this.lookup(kid, x5t);
    }
    return found;
  }

  private lookup(kid: string | undefined, x5t: string | undefined): VerifyKey | undefined {
    return this.keys.find((k) => (kid !== undefined && (k.kid === kid || k.x5t === kid)) || (x5t !== undefined && (k.x5t === x5t || k.kid === x5t)))?.key;
  }

  private refresh(): Promise<void> {
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetch(): Promise<void> {
    const operation = 'altinn2.keys.get';
    let response: UpstreamResponse;
    try {
      response = await this.http.sendIdempotent(operation, () => this.http.send({ operation, method: 'GET', url: this.jwksUrl, headers: { accept: 'application/json' } }));
    } catch (error) {
      throw upstreamFailure(error, 'Altinn 2 key set');
    }
    this.lastFetchAt = this.options.now();
    if (response.status !== 200) throw upstreamStatusFailure('altinn', response.status, 'Altinn 2 key set');
    const jwks = response.body as { keys?: unknown } | undefined;
    if (!jwks || !Array.isArray(jwks.keys)) throw upstreamBadResponse('altinn', response.status, 'Altinn 2 key set', 'Altinn 2 answered the key set request with no key set.');
    const keys: KnownKey[] = [];
    for (const jwk of jwks.keys as JWK[]) {
      const key = await importKey(jwk);
      if (key) keys.push({ kid: jwk.kid, x5t: jwk.x5t, key });
    }
    this.keys = keys;
    this.freshUntil = this.lastFetchAt + maxAgeSeconds(response.headers['cache-control']) * 1000;
  }
}

/** An RSA signing key from its modulus and exponent, else from its certificate; anything else is skipped. */
async function importKey(jwk: JWK): Promise<VerifyKey | undefined> {
  if (jwk?.kty !== 'RSA' || (jwk.use !== undefined && jwk.use !== 'sig')) return undefined;
  try {
    if (jwk.n && jwk.e) return (await importJWK({ kty: 'RSA', n: jwk.n, e: jwk.e }, 'RS256')) as VerifyKey;
    const cert = jwk.x5c?.[0];
    if (cert) return await importX509(`-----BEGIN CERTIFICATE-----\n${cert.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----`, 'RS256');
  } catch {
    return undefined;
  }
  return undefined;
}

export function maxAgeSeconds(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return DEFAULT_CACHE_SECONDS;
  if (/(^|,)\s*(no-store|no-cache)\b/i.test(value)) return 0;
  const m = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(value);
  return m ? Math.min(Number(m[1]), MAX_CACHE_SECONDS) : DEFAULT_CACHE_SECONDS;
}

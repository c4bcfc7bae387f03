import type { UpstreamResponse } from '../upstream/upstream';

/** The DI token of the mode's credentials: OpenbankingTokenClient (`api`) or Psd2FallbackSigner (`fallback`). */
export const OPENBANKING_CREDENTIALS = Symbol('OPENBANKING_CREDENTIALS');

/**
 * How a call to the partner bank proves who we are: a bearer token (`api` mode) or the two PSD2
 * fallback headers (`fallback` mode). `authorize` runs the call with those headers and may run it
 * again once (a refused token).
 */
export interface OpenbankingCredentials {
  authorize(call: (headers: Record<string, string>) => Promise<UpstreamResponse>): Promise<UpstreamResponse>;
}

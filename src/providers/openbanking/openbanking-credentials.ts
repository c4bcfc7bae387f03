import type { UpstreamResponse } from '../upstream/upstream';

/**
 * How a call to the partner bank proves who we are: a bearer token (`api` mode) or the two PSD2
 * fallback headers (`fallback` mode). `authorize` runs the call with those headers and may run it
 * again once (a refused token).
 */
export interface OpenbankingCredentials {
  authorize(call: (headers: Record<string, string>) => Promise<UpstreamResponse>): Promise<UpstreamResponse>;
}

import type { JWTVerifyGetKey } from 'jose';
import type { Altinn2SandboxTokenCheck } from '../altinn2/altinn2-sandbox-token-check';
import type { ActiveFault } from '../../../../sandbox/fault-injector';
import { SimulatorState } from '../../../../sandbox/simulator-state';

export const SKATTEETATEN_ENDPOINTS = ['summertskattegrunnlag', 'inntekt'] as const;
export type SkatteetatenEndpoint = (typeof SKATTEETATEN_ENDPOINTS)[number] | 'control';

/**
 * What an Altinn 2 consent JWT (`AltinnSamtykke`) says, once verified; undefined when it is not
 * valid. `services` are the token's entries (`4628_210607`, `4628_210607_inntektsaar=2024`).
 * The Altinn 2 simulator's `verifyConsentToken` plugs in through `altinn2SamtykkeVerifier`.
 */
export type AltinnSamtykkeVerifier = (jwt: string) => { offeredBy: string; services: string[]; validTo: Date } | undefined;

/** The Altinn 2 simulator's own check (its keys and clock) as Skatteetaten's verifier. */
export function altinn2SamtykkeVerifier(check: (jwt: string) => Altinn2SandboxTokenCheck | undefined): AltinnSamtykkeVerifier {
  return (jwt) => {
    const verified = check(jwt);
    if (!verified) return undefined;
    const services = verified.services.flatMap((s) => [`${s.code}_${s.edition}`, ...Object.entries(s.metadata).map(([name, value]) => `${s.code}_${s.edition}_${name}=${value}`)]);
    return { offeredBy: verified.offeredBy, services, validTo: verified.validTo };
  };
}

export interface SkatteetatenSandboxOptions {
  /** The Maskinporten (simulator) issuer the bearer tokens must carry. */
  maskinportenIssuer: string;
  /** Its signing keys, e.g. jose's createLocalJWKSet({keys: [await maskinporten.publicJwk()]}) or createRemoteJWKSet. */
  maskinportenKeys: JWTVerifyGetKey;
  /** Verifies Altinn 2 consent tokens; without it every `AltinnSamtykke` is refused. */
  altinnSamtykke?: AltinnSamtykkeVerifier;
  now?: () => number;
}

/** One call, without secrets or the national id: the route pattern, not the path. */
export interface SkatteetatenCallLogEntry {
  time: string;
  method: string;
  endpoint: SkatteetatenEndpoint;
  route: string;
  query: Record<string, string>;
  accept?: string;
  authorization: 'none' | 'Bearer' | 'other';
  altinnSamtykke: boolean;
  status?: number;
  kode?: string;
  fault?: ActiveFault;
}

/** Skatteetaten's simulator state: who signs tokens, the clock, faults and the call log. */
export class SkatteetatenSandbox extends SimulatorState<SkatteetatenCallLogEntry> {
  /** Mutable so a runtime mounting both simulators can set it once the Maskinporten simulator's URL is known. */
  maskinportenIssuer: string;
  readonly maskinportenKeys: JWTVerifyGetKey;
  readonly altinnSamtykke?: AltinnSamtykkeVerifier;
  /** When set, answers name this person instead of the one asked for (a consumer's identity check is tested with it). */
  answerAs: string | undefined;

  constructor(opts: SkatteetatenSandboxOptions) {
    // The clock may step back too, to try a token before it is valid.
    super({ faultEndpoints: SKATTEETATEN_ENDPOINTS, callLimit: 10_000, now: opts.now, clockMayGoBack: true });
    this.maskinportenIssuer = opts.maskinportenIssuer;
    this.maskinportenKeys = opts.maskinportenKeys;
    this.altinnSamtykke = opts.altinnSamtykke;
  }

  reset(): void {
    this.answerAs = undefined;
    this.resetRecords();
  }
}

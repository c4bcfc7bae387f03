import type { JWTVerifyGetKey } from 'jose';
import { CallLog } from '../../../../sandbox/call-log';
import { type ActiveFault, FaultInjector, type FaultSpec } from '../../../../sandbox/fault-injector';
import { SandboxClock } from '../../../../sandbox/sandbox-clock';

export const SKATTEETATEN_ENDPOINTS = ['summertskattegrunnlag', 'inntekt'] as const;
export type SkatteetatenEndpoint = (typeof SKATTEETATEN_ENDPOINTS)[number] | 'control';

/** What an Altinn 2 consent JWT (`AltinnSamtykke`) says, once verified; undefined when it is not valid. */
export type AltinnSamtykkeVerifier = (jwt: string) => { offeredBy: string; services: string[]; validTo: Date } | undefined;

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
export class SkatteetatenSandbox {
  readonly faults = new FaultInjector(SKATTEETATEN_ENDPOINTS);
  /** Mutable so a runtime mounting both simulators can set it once the Maskinporten simulator's URL is known. */
  maskinportenIssuer: string;
  readonly maskinportenKeys: JWTVerifyGetKey;
  readonly altinnSamtykke?: AltinnSamtykkeVerifier;
  private readonly clock: SandboxClock;
  private readonly callLog = new CallLog<SkatteetatenCallLogEntry>(10_000);

  constructor(opts: SkatteetatenSandboxOptions) {
    this.maskinportenIssuer = opts.maskinportenIssuer;
    this.maskinportenKeys = opts.maskinportenKeys;
    this.altinnSamtykke = opts.altinnSamtykke;
    // May step back too, to try a token before it is valid.
    this.clock = new SandboxClock(opts.now, true);
  }

  now(): number {
    return this.clock.now();
  }

  advanceClock(ms: number): number {
    return this.clock.advance(ms);
  }

  injectFault(spec: FaultSpec): ActiveFault {
    return this.faults.add(spec);
  }

  logCall(entry: SkatteetatenCallLogEntry): void {
    this.callLog.add(entry);
  }

  getCalls(endpoint?: string): SkatteetatenCallLogEntry[] {
    return this.callLog.list(endpoint);
  }

  clearCalls(): void {
    this.callLog.clear();
  }

  reset(): void {
    this.callLog.clear();
    this.faults.clear();
    this.clock.reset();
  }
}

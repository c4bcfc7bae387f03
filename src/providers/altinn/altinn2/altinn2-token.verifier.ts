import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { AltinnHttpClient } from '../altinn-http.client';
import { Altinn2KeySet } from './altinn2-key-set';
import { Altinn2GrantedService, Altinn2Service, grantedServices, grantsService } from './altinn2-services';
import { parseAltinn2Date } from './oslo-time';

export type Altinn2RefusalReason =
  | 'malformed_token'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'claims_missing'
  | 'wrong_person'
  | 'wrong_organisation'
  | 'service_missing'
  | 'metadata_mismatch'
  | 'consent_expired'
  | 'authorization_code_mismatch';

/** Altinn 2's token was refused; `reason` is written to the audit trail. */
export class Altinn2TokenInvalidError extends Error {
  constructor(readonly reason: Altinn2RefusalReason) {
    super(`Altinn 2 consent token refused: ${reason}`);
    this.name = 'Altinn2TokenInvalidError';
  }
}

export interface Altinn2Expectation {
  /**
   * The flow's customer: must be `OfferedBy`. A predicate when only the customer's keyed hash is
   * at hand (a flow or a consent keeps no national id): it is given `OfferedBy` to compare.
   */
  nationalId: string | ((offeredBy: string) => boolean);
  service: Altinn2Service;
  /** e.g. `{ inntektsaar: '2024' }`, `{ fraOgMed: '2024-01', tilOgMed: '2024-06' }` */
  metadata?: Record<string, string>;
  /** When given, the token's `AuthorizationCode` must be it. */
  authorizationCode?: string;
}

export interface Altinn2VerifiedConsent {
  offeredBy: string;
  coveredBy: string;
  services: Altinn2GrantedService[];
  validTo: Date;
  authorizationCode: string;
}

export interface Altinn2VerifierOptions {
  /** Epoch ms; tests follow the simulator's clock. */
  now?: () => number;
  clockToleranceSeconds?: number;
  refetchCooldownMs?: number;
}

export const ALTINN2_ISSUER = 'altinn.no';

/**
 * Verifies Altinn 2's self-contained consent token before any use: RS256 only, signed by a key of
 * Altinn's key set (matched on `kid` or `x5t`), `iss` altinn.no, `exp`/`nbf` with a small clock
 * tolerance, `OfferedBy` the customer, `CoveredBy` our organisation, the requested service and its
 * metadata among `ServiceCodes`/`Services`, and `ValidToDate` (Norwegian local time or epoch
 * seconds) still ahead. Altinn's documents mix claim forms; every one is read.
 */
export class Altinn2TokenVerifier {
  private readonly keys: Altinn2KeySet;
  private readonly now: () => number;
  private readonly tolerance: number;

  constructor(
    http: AltinnHttpClient,
    private readonly settings: { url: string; orgNumber: string },
    options: Altinn2VerifierOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.tolerance = options.clockToleranceSeconds ?? 5;
    this.keys = new Altinn2KeySet(http, `${settings.url}/api/metadata/jwk`, { now: this.now, refetchCooldownMs: options.refetchCooldownMs ?? 10_000 });
  }

  async verify(jwt: string, expected: Altinn2Expectation): Promise<Altinn2VerifiedConsent> {
    let header: { alg?: string; kid?: string; x5t?: unknown };
    try {
      header = decodeProtectedHeader(jwt);
    } catch {
      throw new Altinn2TokenInvalidError('malformed_token');
    }
    if (header.alg !== 'RS256') throw new Altinn2TokenInvalidError('algorithm_not_allowed');
    const key = await this.keys.find(header.kid, typeof header.x5t === 'string' ? header.x5t : undefined);
    if (!key) throw new Altinn2TokenInvalidError('unknown_key');

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(jwt, key, {
        algorithms: ['RS256'],
        issuer: ALTINN2_ISSUER,
        clockTolerance: this.tolerance,
        currentDate: new Date(this.now()),
        requiredClaims: ['exp', 'nbf'],
      }));
    } catch (error) {
      throw new Altinn2TokenInvalidError(refusalOf(error));
    }

    const offeredBy = claimText(payload.OfferedBy);
    const coveredBy = claimText(payload.CoveredBy);
    const authorizationCode = claimText(payload.AuthorizationCode);
    const validTo = parseAltinn2Date(payload.ValidToDate);
    if (!offeredBy || !coveredBy || !authorizationCode || !validTo) throw new Altinn2TokenInvalidError('claims_missing');
    const isCustomer = typeof expected.nationalId === 'function' ? expected.nationalId(offeredBy) : offeredBy === expected.nationalId;
    if (!isCustomer) throw new Altinn2TokenInvalidError('wrong_person');
    if (coveredBy !== this.settings.orgNumber) throw new Altinn2TokenInvalidError('wrong_organisation');
    if (expected.authorizationCode !== undefined && authorizationCode !== expected.authorizationCode) throw new Altinn2TokenInvalidError('authorization_code_mismatch');
    const services = grantedServices(payload);
    const grant = grantsService(services, expected.service, expected.metadata);
    if (grant !== 'granted') throw new Altinn2TokenInvalidError(grant);
    if (validTo.getTime() <= this.now()) throw new Altinn2TokenInvalidError('consent_expired');
    return { offeredBy, coveredBy, services, validTo, authorizationCode };
  }
}

/** National ids and organisation numbers are strings; a token writing them as numbers still names them. */
function claimText(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim()) return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

function refusalOf(error: unknown): Altinn2RefusalReason {
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof joseErrors.JWTExpired) return 'token_expired';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm_not_allowed';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'wrong_issuer';
    if (error.claim === 'nbf' && error.reason === 'check_failed') return 'token_not_yet_valid';
    return 'claims_missing';
  }
  return 'malformed_token';
}

import type { ConsentParameters } from '../../../database/entities/consent.entity';
import type { MaskinportenClient } from '../maskinporten/maskinporten.client';
import type { IncomeClient } from '../skatteetaten/income.client';
import type { IncomeDto } from '../skatteetaten/income.dto';
import { withFreshTokenOnUnauthorized } from '../skatteetaten/skatteetaten-call';
import type { TaxAssessmentClient } from '../skatteetaten/tax-assessment.client';
import type { TaxAssessmentDto } from '../skatteetaten/tax-assessment.dto';
import { DATA_SCOPES } from '../altinn-collector';
import { altinn2GrantOf, type Altinn2Resources } from './altinn2-dataset';
import type { Altinn2Dataset } from './altinn2-link';
import type { Altinn2TokenClient } from './altinn2-token.client';
import type { Altinn2TokenVerifier, Altinn2VerifiedConsent } from './altinn2-token.verifier';

export type Altinn2Data = TaxAssessmentDto | IncomeDto;

/** Skatteetaten's answer: the data with every person it names, or none for the period. */
export type Altinn2Fetched = { kind: 'found'; data: Altinn2Data; persons: string[] } | { kind: 'no_data' };

export interface Altinn2ConsentToken {
  /** Altinn's JWT, verified: sent as `AltinnSamtykke`, never stored (it lives 30 s). */
  jwt: string;
  consent: Altinn2VerifiedConsent;
}

/**
 * The two steps of a collection with an Altinn 2 consent, used by the flow's callback and by every
 * later read: a fresh consent token for the authorization code (verified before any use), then
 * Skatteetaten with a Maskinporten token for the data scope and `AltinnSamtykke: <JWT>`. Errors
 * pass through as the clients throw them (Altinn2TokenRefusedError, Altinn2TokenInvalidError,
 * SkatteetatenConsentError, ALTINN_*, MASKINPORTEN_*, SKATTEETATEN_*); the callers decide.
 */
export class Altinn2Collector {
  constructor(
    private readonly tokens: Altinn2TokenClient,
    private readonly verifier: Altinn2TokenVerifier,
    private readonly maskinporten: Pick<MaskinportenClient, 'token' | 'invalidate'>,
    private readonly taxAssessment: TaxAssessmentClient,
    private readonly income: IncomeClient,
    private readonly resources: Altinn2Resources,
  ) {}

  /** Not cached: the token lives 30 s and a read is rare, so each collection asks Altinn anew. */
  async consentToken(dataset: Altinn2Dataset, authorizationCode: string, parameters: ConsentParameters | null | undefined, isCustomer: (offeredBy: string) => boolean): Promise<Altinn2ConsentToken> {
    const jwt = await this.tokens.token(authorizationCode);
    const consent = await this.verifier.verify(jwt, { nationalId: isCustomer, ...altinn2GrantOf(dataset, this.resources, parameters), authorizationCode });
    return { jwt, consent };
  }

  /**
   * Skatteetaten for the consent's person (the verified `OfferedBy`). Skatteetaten answering 401
   * drops the data-scope token from the cache and the call is made once more with a fresh one and
   * the same `AltinnSamtykke`; a second 401 is SKATTEETATEN_REJECTED.
   */
  async fetch(dataset: Altinn2Dataset, parameters: ConsentParameters | null | undefined, token: Altinn2ConsentToken): Promise<Altinn2Fetched> {
    const scope = DATA_SCOPES[dataset];
    const bearer = { get: () => this.maskinporten.token(scope), invalidate: (refused: string) => this.maskinporten.invalidate(scope, refused) };
    const nationalId = token.consent.offeredBy;
    return withFreshTokenOnUnauthorized(bearer, async (bearerToken): Promise<Altinn2Fetched> => {
      const auth = { bearer: bearerToken, altinnSamtykke: token.jwt };
      if (dataset === 'tax-assessment') {
        const result = await this.taxAssessment.get(auth, Number(parameters?.incomeYear), nationalId);
        return result.kind === 'no_data' ? result : { kind: 'found', data: result.assessment, persons: [result.personidentifikator] };
      }
      const result = await this.income.get(auth, String(parameters?.fromMonth), String(parameters?.toMonth), nationalId);
      return result.kind === 'no_data' ? result : { kind: 'found', data: result.income, persons: result.personidentifikatorer };
    });
  }
}

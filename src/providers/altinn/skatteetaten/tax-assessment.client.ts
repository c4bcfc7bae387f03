import { Logger } from '@nestjs/common';
import { getFromSkatteetaten, type SkatteetatenAuth, skatteetatenBadResponse } from './skatteetaten-call';
import type { SkatteetatenHttpClient } from './skatteetaten-http.client';
import type { SkatteetatenConfig } from './skatteetaten.config';
import { mapTaxAssessment, type MappedTaxAssessment } from './tax-assessment.mapper';

export type TaxAssessmentResult = ({ kind: 'found' } & MappedTaxAssessment) | { kind: 'no_data' };

const OPERATION = 'summertskattegrunnlag.get';

/**
 * Summert skattegrunnlag v2, bank package: `GET {base}/oppgjoer/sbl/{inntektsaar}/{personidentifikator}`.
 * SSG-008 (no assessment for that year) → `no_data`; SSG-010 → SkatteetatenConsentError; 401 → SkatteetatenUnauthorizedError
 * (SKATTEETATEN_REJECTED, a token worth replacing); the rest → SKATTEETATEN_*.
 */
export class TaxAssessmentClient {
  private readonly logger = new Logger(TaxAssessmentClient.name);

  constructor(
    private readonly config: Pick<SkatteetatenConfig, 'taxAssessmentUrl'>,
    private readonly http: SkatteetatenHttpClient,
  ) {}

  async get(auth: SkatteetatenAuth, incomeYear: number, nationalId: string): Promise<TaxAssessmentResult> {
    if (!Number.isInteger(incomeYear) || incomeYear < 1900 || incomeYear > 9999) throw new RangeError('incomeYear must be a four-digit year');
    if (!/^\d{11}$/.test(nationalId)) throw new RangeError('nationalId must be 11 digits');
    const url = `${this.config.taxAssessmentUrl}/oppgjoer/sbl/${incomeYear}/${nationalId}`;
    const outcome = await getFromSkatteetaten(this.http, this.logger, OPERATION, url, auth, 'SSG');
    if (outcome.kind === 'no_data') return { kind: 'no_data' };
    const mapped = mapTaxAssessment(outcome.body);
    if (!mapped) throw skatteetatenBadResponse(OPERATION);
    return { kind: 'found', ...mapped };
  }
}

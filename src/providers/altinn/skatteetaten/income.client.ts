import { Logger } from '@nestjs/common';
import { mapIncome, type MappedIncome } from './income.mapper';
import { getFromSkatteetaten, type SkatteetatenAuth, skatteetatenBadResponse } from './skatteetaten-call';
import type { SkatteetatenHttpClient } from './skatteetaten-http.client';
import type { SkatteetatenConfig } from './skatteetaten.config';

export type IncomeResult = ({ kind: 'found' } & MappedIncome) | { kind: 'no_data' };

const OPERATION = 'inntekt.get';
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * Inntekt v1, bank package: `GET {base}/sbl/{personidentifikator}/inntekter?fraOgMed=YYYY-MM&tilOgMed=YYYY-MM`.
 * IM-008 (no income in the period) → `no_data`; IM-010 → SkatteetatenConsentError; 401 → SkatteetatenUnauthorizedError
 * (SKATTEETATEN_REJECTED, a token worth replacing); the rest → SKATTEETATEN_*.
 */
export class IncomeClient {
  private readonly logger = new Logger(IncomeClient.name);

  constructor(
    private readonly config: Pick<SkatteetatenConfig, 'incomeUrl'>,
    private readonly http: SkatteetatenHttpClient,
  ) {}

  async get(auth: SkatteetatenAuth, fromMonth: string, toMonth: string, nationalId: string): Promise<IncomeResult> {
    if (!MONTH.test(fromMonth) || !MONTH.test(toMonth) || fromMonth > toMonth) throw new RangeError('fromMonth and toMonth must be YYYY-MM, fromMonth ≤ toMonth');
    if (!/^\d{11}$/.test(nationalId)) throw new RangeError('nationalId must be 11 digits');
    const url = `${this.config.incomeUrl}/sbl/${nationalId}/inntekter?${new URLSearchParams({ fraOgMed: fromMonth, tilOgMed: toMonth })}`;
    const outcome = await getFromSkatteetaten(this.http, this.logger, OPERATION, url, auth, 'IM');
    if (outcome.kind === 'no_data') return { kind: 'no_data' };
    const mapped = mapIncome(outcome.body);
    if (!mapped) throw skatteetatenBadResponse(OPERATION);
    return { kind: 'found', ...mapped };
  }
}

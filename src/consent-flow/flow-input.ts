import { AppError, type FieldError } from '../common/problem';
import type { ConsentParameters, ConsentPurpose } from '../database/entities/consent.entity';
import type { Dataset } from '../providers/datasets';
import type { StartConsentFlowRequestDto } from './consent-flow.dto';

/** A flow's dataset fields, checked against its dataset's rules (api.md, per dataset). */
export interface FlowInput {
  purpose: ConsentPurpose | undefined;
  durationDays: number | undefined;
  parameters: ConsentParameters;
  message: string | undefined;
}

const ALTINN_DEFAULT_DURATION_DAYS = 30;
const MAX_INCOME_MONTHS = 36;
const DATASET_FIELDS = ['incomeYear', 'fromMonth', 'toMonth', 'message'] as const;
const ALLOWED: Record<Exclude<Dataset, 'accounts'>, readonly (typeof DATASET_FIELDS)[number][]> = {
  debt: [],
  'tax-assessment': ['incomeYear', 'message'],
  income: ['fromMonth', 'toMonth', 'message'],
};

/**
 * The dataset's rules on top of the DTO's shapes: debt needs `purpose` (NoGi clamps the duration);
 * tax-assessment and income take `processing` only, 1–365 days (default 30), an income year up to
 * last year (default last year) or a month range up to this month (at most 36 months). A field of
 * another dataset is a 400 naming it. `now` is the caller's clock (tests move it).
 */
export function checkFlowInput(dataset: Exclude<Dataset, 'accounts'>, body: StartConsentFlowRequestDto, now: Date): FlowInput {
  const errors: FieldError[] = [];
  for (const field of DATASET_FIELDS) {
    if (body[field] !== undefined && !ALLOWED[dataset].includes(field)) errors.push({ field, message: `is not a field of a ${dataset} flow` });
  }
  if (dataset === 'debt') {
    if (body.purpose === undefined) errors.push({ field: 'purpose', message: 'is required for debt: presentation or processing' });
    if (errors.length > 0) throw AppError.validation(errors);
    return { purpose: body.purpose, durationDays: body.durationDays, parameters: {}, message: undefined };
  }

  if (body.purpose !== undefined && body.purpose !== 'processing') errors.push({ field: 'purpose', message: `must be processing for ${dataset}` });
  if (body.durationDays !== undefined && body.durationDays > 365) errors.push({ field: 'durationDays', message: 'must be at most 365' });
  const parameters: ConsentParameters = {};
  const thisYear = now.getUTCFullYear();
  if (dataset === 'tax-assessment') {
    const year = body.incomeYear ?? thisYear - 1;
    if (year < 2000 || year > thisYear - 1) errors.push({ field: 'incomeYear', message: `must be an income year from 2000 to ${thisYear - 1}` });
    parameters.incomeYear = year;
  } else {
    const thisMonth = `${thisYear}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    if (body.fromMonth === undefined) errors.push({ field: 'fromMonth', message: 'is required for income (YYYY-MM)' });
    if (body.toMonth === undefined) errors.push({ field: 'toMonth', message: 'is required for income (YYYY-MM)' });
    if (body.fromMonth !== undefined && body.toMonth !== undefined) {
      if (body.toMonth > thisMonth) errors.push({ field: 'toMonth', message: `must not be after this month (${thisMonth})` });
      if (body.fromMonth > body.toMonth) errors.push({ field: 'fromMonth', message: 'must not be after toMonth' });
      else if (monthsBetween(body.fromMonth, body.toMonth) + 1 > MAX_INCOME_MONTHS) errors.push({ field: 'toMonth', message: `the period must be at most ${MAX_INCOME_MONTHS} months` });
    }
    parameters.fromMonth = body.fromMonth;
    parameters.toMonth = body.toMonth;
  }
  if (errors.length > 0) throw AppError.validation(errors);
  return { purpose: 'processing', durationDays: body.durationDays ?? ALTINN_DEFAULT_DURATION_DAYS, parameters, message: body.message };
}

function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  return (ty - fy) * 12 + (tm - fm);
}

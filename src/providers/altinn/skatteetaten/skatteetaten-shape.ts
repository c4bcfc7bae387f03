/** Small checks for Skatteetaten's answers: anything outside the expected shape makes the answer unusable. */
export type Flat = Record<string, string | number | boolean>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 500;
}

/** Whole kroner: Skatteetaten's amounts are integers and stay so. */
export function isAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

export function isNationalIdText(value: unknown): value is string {
  return typeof value === 'string' && /^\d{11}$/.test(value);
}

/**
 * A flat object of scalars (a `spesifisering` entry, `loennsinntekt`), without any person
 * identifier; numbers must be integers. Undefined when it is not one.
 */
export function flatWithoutPerson(value: unknown): Flat | undefined {
  if (!isRecord(value)) return undefined;
  const out: Flat = {};
  for (const [key, field] of Object.entries(value)) {
    if (/personidentifikator|foedselsnummer/i.test(key)) continue;
    if (typeof field === 'string' || typeof field === 'boolean') out[key] = field;
    else if (isAmount(field)) out[key] = field;
    else if (field === null || field === undefined) continue;
    else return undefined;
  }
  return out;
}

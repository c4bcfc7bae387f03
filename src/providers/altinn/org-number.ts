/**
 * Norwegian organisation number as Brønnøysundregistrene defines it: 9 digits, the last a mod-11
 * check digit over the first eight with weights 3, 2, 7, 6, 5, 4, 3, 2 (remainder 0 gives 0; a
 * check digit of 10 means the number cannot exist).
 */
const WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2];

export function isValidOrgNumber(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{9}$/.test(value)) return false;
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(value[i]), 0);
  const rest = sum % 11;
  const check = rest === 0 ? 0 : 11 - rest;
  return check !== 10 && check === Number(value[8]);
}

/**
 * Norwegian national identity number (fødselsnummer / D-number): 11 digits, two mod-11 check digits.
 * No birth-date check on purpose: NoGi's synthetic persons (e.g. 14842249091, month + 80) and
 * D-numbers (day + 40) must pass.
 */
const K1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const K2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

function checkDigit(digits: number[], weights: number[]): number {
  const sum = weights.reduce((acc, w, i) => acc + w * digits[i], 0);
  const rest = 11 - (sum % 11);
  return rest === 11 ? 0 : rest; // 10 means no valid check digit exists
}

export function isValidNationalId(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{11}$/.test(value)) return false;
  const digits = [...value].map(Number);
  const k1 = checkDigit(digits, K1);
  if (k1 === 10 || k1 !== digits[9]) return false;
  const k2 = checkDigit(digits, K2);
  return k2 !== 10 && k2 === digits[10];
}

import { randomInt } from 'node:crypto';
import { isValidNationalId } from '../../src/common/national-id';

/** NoGi's synthetic persons with debt. */
export const PERSON_WITH_DEBT = '14842249091';
export const OTHER_PERSON_WITH_DEBT = '29868099311';

/** A random valid national id (mod-11), unique enough that parallel tests never share a customer. */
export function freshNationalId(): string {
  for (;;) {
    const candidate = `${String(randomInt(1, 32)).padStart(2, '0')}${String(randomInt(1, 13)).padStart(2, '0')}${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
    if (isValidNationalId(candidate)) return candidate;
  }
}

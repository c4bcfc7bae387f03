import { AppError } from '../common/problem';

export const SCOPES = ['consent:write', 'consent:read', 'debt:read', 'income:read', 'accounts:read', 'consent:admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling, from a verified bank JWT. */
export interface Caller {
  /** JWT `sub`. */
  subject: string;
  /** The calling client: `azp`, else `client_id`, else `sub` (contract: service tokens). */
  clientId: string;
  scopes: ReadonlySet<string>;
  /** Present only on customer tokens (claim AUTH_NATIONAL_ID_CLAIM): the caller acts for this person only. */
  nationalId?: string;
}

export function isCustomer(caller: Caller): caller is Caller & { nationalId: string } {
  return caller.nationalId !== undefined;
}

/**
 * Object-level rule of the contract for a national id given in a body or X-National-Id:
 * a customer may omit it or give their own (anything else is 403); a service must give it when `required`.
 */
export function customerNationalId(caller: Caller, given: string | undefined, required: true): string;
export function customerNationalId(caller: Caller, given: string | undefined, required: boolean): string | undefined;
export function customerNationalId(caller: Caller, given: string | undefined, required: boolean): string | undefined {
  if (isCustomer(caller)) {
    if (given !== undefined && given !== caller.nationalId) {
      throw new AppError('FORBIDDEN', 'A customer token may only act for its own national id.');
    }
    return caller.nationalId;
  }
  if (given === undefined && required) {
    throw AppError.validation([{ field: 'nationalId', message: 'is required for service tokens' }]);
  }
  return given;
}

/** Resources that belong to one customer (by keyed hash) answer 404 to any other customer. */
export function customerMayAccess(caller: Caller, ownerHash: string | null, hash: (nid: string) => string): boolean {
  return !isCustomer(caller) || (ownerHash !== null && ownerHash === hash(caller.nationalId));
}

import { hash } from 'node:crypto';

/**
 * Our providerConsentId of an Altinn 2 consent: Altinn 2 gives no consent id, only the
 * authorization code, which is a bearer secret (with our ApiKey it fetches tokens until
 * ValidToDate). Its SHA-256 is stable (a retried insert finds the row it already wrote) and unique,
 * yet useless to anyone reading the table; the code itself is kept only encrypted.
 */
export function altinn2ProviderConsentId(authorizationCode: string): string {
  return `altinn2:${hash('sha256', authorizationCode, 'base64url')}`;
}

/** The DataCipher context of a consent's encrypted authorization code: bound to our consent id. */
export function altinn2CodeContext(consentId: string): string {
  return `consent:${consentId}`;
}

import { createHash, KeyObject, X509Certificate } from 'node:crypto';

/** The JWS algorithm a QSeal key signs with: RS256 for RSA, ES256 for P-256 EC; undefined for anything else. */
export function algorithmOf(key: KeyObject): 'RS256' | 'ES256' | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  return undefined;
}

/** The certificates of a PEM bundle, in the order given. Throws when one does not parse. */
export function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

/** Whether `cert` was issued (name and signature) by `issuer`. */
export function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));
}

/** SPV's `kid`: uppercase hex SHA-1 of the certificate's DER (40 characters). */
export function sha1Kid(cert: X509Certificate): string {
  return createHash('sha1').update(cert.raw).digest('hex').toUpperCase();
}

/** RFC 7515 §4.1.7 `x5t`: base64url (no padding) of the same SHA-1. */
export function sha1X5t(cert: X509Certificate): string {
  return createHash('sha1').update(cert.raw).digest('base64url');
}

/** The values of one attribute (`O`, `CN`…) of a certificate's subject, as node:crypto prints them. */
export function subjectAttribute(cert: X509Certificate, name: string): string[] {
  return cert.subject
    .split('\n')
    .filter((line) => line.startsWith(`${name}=`))
    .map((line) => line.slice(name.length + 1).replace(/\\(.)/g, '$1'));
}

/**
 * The names `iss` may carry: SPV asks for "the full name of the TPP, as registered in the Qseal
 * certificate" without saying which field (open question 4), so the subject's O and CN both count.
 */
export function registeredNames(cert: X509Certificate): string[] {
  return [...subjectAttribute(cert, 'O'), ...subjectAttribute(cert, 'CN')];
}

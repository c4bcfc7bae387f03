import 'reflect-metadata';
import { createHash, KeyObject, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { exportJWK, type JWK } from 'jose';

x509.cryptoProvider.set(webcrypto);

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

/** One of the simulator's signing keys: `kid` = `x5t` (SHA-1 of the certificate), as Altinn's newer tokens. */
export interface SandboxSigningKey {
  kid: string;
  x5t: string;
  privateKey: webcrypto.CryptoKey;
  /** For synchronous checks (the Skatteetaten simulator's hook). */
  publicKeyObject: KeyObject;
  jwk: JWK;
}

let serial = 0;

/** A 2048-bit RSA key with a self-signed certificate (Altinn's certificates may be self-signed; trust rests on TLS). */
export async function generateSigningKey(label: string): Promise<SandboxSigningKey> {
  const keys = (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (++serial).toString(16).padStart(2, '0') + now.toString(16),
    name: `CN=altinn2-sandbox-${label}, O=Altinn sandbox, C=NO`,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 365 * 86_400_000),
    keys,
    signingAlgorithm: RSA,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  const der = Buffer.from(cert.rawData);
  const x5t = createHash('sha1').update(der).digest('base64url');
  const publicJwk = await exportJWK(keys.publicKey);
  return {
    kid: x5t,
    x5t,
    privateKey: keys.privateKey,
    publicKeyObject: KeyObject.from(keys.publicKey),
    jwk: { kty: 'RSA', use: 'sig', alg: 'RS256', kid: x5t, x5t, n: publicJwk.n, e: publicJwk.e, x5c: [der.toString('base64')] },
  };
}

import 'reflect-metadata';
import { createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/*
 * Kept apart from sandbox-client-keys.ts, which the service's configuration loads: @peculiar/x509
 * and its ASN.1 stack are loaded only by the tests and simulators that make test certificates.
 */

export interface SandboxBusinessCertificate {
  privateKeyPem: string;
  /** Leaf then CA, PEM: MASKINPORTEN_CERT_CHAIN. */
  chainPem: string;
  /** The issuing CA, to trust on the simulator's client. */
  caPem: string;
}

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

/** A test business certificate (virksomhetssertifikat look-alike) for `orgNumber`, issued by a fresh test CA. */
export async function generateSandboxBusinessCertificate(orgNumber: string, validDays = 30): Promise<SandboxBusinessCertificate> {
  const crypto = webcrypto as never as webcrypto.Crypto;
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + validDays * 86_400_000);
  const caKeys = (await crypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    { serialNumber: randomBytes(8).toString('hex'), name: 'CN=Sandbox Test CA, O=nogi-consent-bff sandbox', notBefore, notAfter, signingAlgorithm: RSA, keys: caKeys, extensions: [new x509.BasicConstraintsExtension(true, 0, true)] },
    crypto as never,
  );
  const leafKeys = (await crypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create(
    { serialNumber: randomBytes(8).toString('hex'), subject: `CN=SANDBOX BANK, O=SANDBOX BANK, 2.5.4.5=${orgNumber}`, issuer: ca.subject, notBefore, notAfter, signingAlgorithm: RSA, publicKey: leafKeys.publicKey, signingKey: caKeys.privateKey },
    crypto as never,
  );
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
  const privateKeyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END PRIVATE KEY-----\n`;
  // Sanity: the PEM round-trips through node's parser.
  createPublicKey(privateKeyPem);
  return { privateKeyPem, chainPem: `${leaf.toString('pem')}\n${ca.toString('pem')}\n`, caPem: ca.toString('pem') };
}

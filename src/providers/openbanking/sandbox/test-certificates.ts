import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type KeyGenParams = webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams;
type SignParams = webcrypto.Algorithm | webcrypto.EcdsaParams;

export type TestKeyType = 'RSA' | 'EC';

/** A CA and a QSeal-like leaf it issued, as PEM; made in memory, never written to disk. */
export interface TestPki {
  caCertPem: string;
  /** The leaf first, then the CA (OPENBANKING_QSEAL_CERT_CHAIN). */
  chainPem: string;
  leafCertPem: string;
  /** PKCS#8 PEM (OPENBANKING_QSEAL_KEY). */
  leafKeyPem: string;
  /** The leaf subject's O and CN (OPENBANKING_TPP_NAME). */
  tppName: string;
}

export interface TestPkiOptions {
  keyType?: TestKeyType;
  tppName?: string;
  /** The authorisation number in organizationIdentifier `PSDNO-FSA-<id>`. */
  authorisationId?: string;
  /** Issue the leaf under this CA instead of a new one (same trust anchor for several leaves). */
  ca?: TestCa;
  notAfter?: Date;
}

export interface TestCa {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  pem: string;
}

const ALGORITHMS: Record<TestKeyType, { key: KeyGenParams; sign: SignParams }> = {
  RSA: { key: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 }, sign: { name: 'RSASSA-PKCS1-v1_5' } },
  EC: { key: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams },
};

const DAY_MS = 86_400_000;

/** A self-signed test CA (keyCertSign, path length 0). */
export async function createTestCa(keyType: TestKeyType = 'RSA', name = 'CN=Sandbox QTSP Test CA, O=Sandbox QTSP, C=NO'): Promise<TestCa> {
  const alg = ALGORITHMS[keyType];
  const keys = (await webcrypto.subtle.generateKey(alg.key, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 3650 * DAY_MS),
    keys,
    signingAlgorithm: alg.sign,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  return { cert, keys, pem: cert.toString('pem') };
}

/**
 * A CA and a leaf with subject `CN=<name>, O=<name>, 2.5.4.97=PSDNO-FSA-<id>, C=NO` (the
 * organizationIdentifier a PSD2 QSeal carries), RSA 2048 or P-256.
 */
export async function createTestPki(options: TestPkiOptions = {}): Promise<TestPki> {
  const keyType = options.keyType ?? 'RSA';
  const tppName = options.tppName ?? 'Sandbox TPP AS';
  const ca = options.ca ?? (await createTestCa(keyType));
  const alg = ALGORITHMS[keyType];
  const dn = tppName.replace(/([,+"\\<>;=#])/g, '\\$1');
  const leafKeys = (await webcrypto.subtle.generateKey(alg.key, true, ['sign', 'verify'])) as CryptoKeyPair;
  const caAlg = ca.keys.privateKey.algorithm.name === 'ECDSA' ? ALGORITHMS.EC.sign : ALGORITHMS.RSA.sign;
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${dn}, O=${dn}, 2.5.4.97=PSDNO-FSA-${options.authorisationId ?? '123456789'}, C=NO`,
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: options.notAfter ?? new Date(Date.now() + 365 * DAY_MS),
    publicKey: leafKeys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: caAlg,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true)],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
  const leafCertPem = leaf.toString('pem');
  return {
    caCertPem: ca.pem,
    chainPem: `${leafCertPem}\n${ca.pem}\n`,
    leafCertPem,
    leafKeyPem: toPem(pkcs8, 'PRIVATE KEY'),
    tppName,
  };
}

function serial(): string {
  // A leading 01 keeps the DER integer positive.
  return `01${Buffer.from(webcrypto.getRandomValues(new Uint8Array(15))).toString('hex')}`;
}

export function toPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

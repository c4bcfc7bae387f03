import { createHash, X509Certificate } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, importX509, jwtVerify } from 'jose';
import { parseOpenbankingConfig, QsealMaterial } from './openbanking.config';
import { FALLBACK_CERT_HEADER, FALLBACK_JWT_HEADER, Psd2FallbackSigner } from './psd2-fallback.signer';
import { createTestPki, TestPki } from './sandbox/test-certificates';

function material(pki: TestPki): QsealMaterial {
  const env = { OPENBANKING_MODE: 'fallback', OPENBANKING_API_URL: 'https://a.example.no', OPENBANKING_QSEAL_KEY: pki.leafKeyPem, OPENBANKING_QSEAL_CERT_CHAIN: pki.chainPem, OPENBANKING_TPP_NAME: pki.tppName };
  return parseOpenbankingConfig(env, { sandbox: false }).config!.qseal!;
}

describe.each(['RSA', 'EC'] as const)('Psd2FallbackSigner (%s)', (keyType) => {
  let pki: TestPki;
  let leaf: X509Certificate;
  beforeAll(async () => {
    pki = await createTestPki({ keyType });
    leaf = new X509Certificate(pki.leafCertPem);
  });

  it('signs a JWT whose header names the certificate: kid = uppercase hex SHA-1, x5t the same bytes in base64url', async () => {
    const jwt = (await new Psd2FallbackSigner(material(pki)).headers())[FALLBACK_JWT_HEADER];
    const header = decodeProtectedHeader(jwt);
    const sha1 = createHash('sha1').update(leaf.raw).digest();
    expect(header).toEqual({ alg: keyType === 'RSA' ? 'RS256' : 'ES256', kid: sha1.toString('hex').toUpperCase(), x5t: expect.any(String), typ: 'JWT' });
    expect(header.kid).toMatch(/^[0-9A-F]{40}$/);
    expect(header.kid).toBe(leaf.fingerprint.replace(/:/g, ''));
    expect(header.x5t).not.toMatch(/[=+/]/);
    expect(Buffer.from(header.x5t as string, 'base64url').equals(sha1)).toBe(true);
  });

  it('claims iss = the TPP name, the audience, iat = nbf, exp at most an hour later and a 128-bit jti; verifiable with the leaf key', async () => {
    const now = Date.UTC(2026, 11, 1, 10, 0, 0);
    const jwt = (await new Psd2FallbackSigner(material(pki), () => now).headers())[FALLBACK_JWT_HEADER];
    const claims = decodeJwt(jwt);
    expect(claims).toEqual({ iss: pki.tppName, aud: 'spv fallback prod', iat: now / 1000, nbf: now / 1000, exp: expect.any(Number), jti: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(3600);
    const key = await importX509(pki.leafCertPem, keyType === 'RSA' ? 'RS256' : 'ES256');
    await expect(jwtVerify(jwt, key, { audience: 'spv fallback prod', currentDate: new Date(now + 1000), maxTokenAge: '1h' })).resolves.toBeDefined();
  });

  it('builds the certificate header as base64 of a JWK with the chain in x5c (standard base64 DER, leaf first)', async () => {
    const header = (await new Psd2FallbackSigner(material(pki)).headers())[FALLBACK_CERT_HEADER];
    expect(header).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const jwk = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
    expect(jwk.kty).toBe(keyType);
    expect(jwk.d).toBeUndefined();
    expect(jwk.x5c).toHaveLength(2);
    for (const der of jwk.x5c) expect(der).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(new X509Certificate(Buffer.from(jwk.x5c[0], 'base64')).fingerprint256).toBe(leaf.fingerprint256);
    expect(new X509Certificate(Buffer.from(jwk.x5c[1], 'base64')).fingerprint256).toBe(new X509Certificate(pki.caCertPem).fingerprint256);
  });

  it('reuses the JWT while more than 5 minutes remain, then signs a new one with a new jti', async () => {
    let now = Date.UTC(2026, 11, 1, 10, 0, 0);
    const signer = new Psd2FallbackSigner(material(pki), () => now);
    const first = await signer.jwt();
    const [a, b] = await Promise.all([signer.jwt(), signer.jwt()]);
    now += 54 * 60_000;
    expect([a, b, await signer.jwt()]).toEqual([first, first, first]);
    now += 2 * 60_000;
    const renewed = await signer.jwt();
    expect(renewed).not.toBe(first);
    expect(decodeJwt(renewed).jti).not.toBe(decodeJwt(first).jti);
    expect(decodeJwt(renewed).iat).toBe(now / 1000);
  });
});

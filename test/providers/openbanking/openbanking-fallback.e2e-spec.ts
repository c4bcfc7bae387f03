import { createHash, createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { SignJWT } from 'jose';
import { FALLBACK_CERT_HEADER, FALLBACK_JWT_HEADER, Psd2FallbackSigner } from '../../../src/providers/openbanking/psd2-fallback.signer';
import { createTestCa, createTestPki, startPartnerBankSandbox, StartedPartnerBankSandbox, TestCa, TestPki } from '../../../src/providers/openbanking/sandbox';
import { PERSON_WITH_DEBT } from '../../support/national-ids';
import { configFor, fallbackEnv, SANDBOX_CLIENT, SharedRedis } from './openbanking-harness';

const HOUR = 3600;

describe('Open banking, PSD2 fallback mode against the partner-bank simulator', () => {
  let bank: StartedPartnerBankSandbox;
  let ca: TestCa;
  let rsa: TestPki;
  let ec: TestPki;
  const shared = new SharedRedis();

  beforeAll(async () => {
    await shared.connect();
    ca = await createTestCa('RSA');
    [rsa, ec] = await Promise.all([createTestPki({ ca, keyType: 'RSA', tppName: 'Lånehjelp Test AS' }), createTestPki({ ca, keyType: 'EC' })]);
    bank = await startPartnerBankSandbox({ ...SANDBOX_CLIENT, trustedCaPem: ca.pem });
  });
  beforeEach(() => {
    shared.fresh();
    bank.sandbox.reset();
  });
  afterEach(() => shared.closeClients());
  afterAll(async () => {
    await shared.quit();
    await bank.close();
  });

  /** Our signer's headers for a PKI, at a given time. */
  const signed = (pki: TestPki, now: () => number = Date.now) => new Psd2FallbackSigner(configFor(fallbackEnv(bank, pki)).qseal!, now);

  /** A JWT of our own making, to break one rule at a time. */
  async function craft(pki: TestPki, change: { header?: Record<string, unknown>; claims?: Record<string, unknown>; iat?: number; exp?: number; key?: string } = {}): Promise<string> {
    const leaf = new X509Certificate(pki.leafCertPem);
    const sha1 = createHash('sha1').update(leaf.raw).digest();
    const iat = change.iat ?? Math.floor(Date.now() / 1000);
    const alg = pki === ec ? 'ES256' : 'RS256';
    return new SignJWT({ iss: pki.tppName, aud: 'spv fallback prod', iat, nbf: iat, exp: change.exp ?? iat + HOUR, jti: randomBytes(16).toString('hex'), ...change.claims })
      .setProtectedHeader({ alg, kid: sha1.toString('hex').toUpperCase(), x5t: sha1.toString('base64url'), typ: 'JWT', ...change.header })
      .sign(createPrivateKey(change.key ?? pki.leafKeyPem));
  }

  async function read(cert: string | undefined, jwt: string | undefined): Promise<{ status: number; reason?: string }> {
    const headers: Record<string, string> = { 'PSU-ID': PERSON_WITH_DEBT, 'X-Request-ID': 'test' };
    if (cert) headers[FALLBACK_CERT_HEADER] = cert;
    if (jwt) headers[FALLBACK_JWT_HEADER] = jwt;
    const res = await fetch(`${bank.url}/v1/accounts`, { headers });
    const body = (await res.json()) as { tppMessages?: Array<{ text: string }> };
    return { status: res.status, reason: body.tppMessages?.[0]?.text };
  }

  it.each(['RSA', 'EC'])('reads accounts with balances and transactions with the two fallback headers and no token (%s key)', async (type) => {
    const r = shared.replica(configFor(fallbackEnv(bank, type === 'RSA' ? rsa : ec)));
    const { accounts } = await r.service.accountsWithBalances(PERSON_WITH_DEBT);
    expect(accounts).toHaveLength(3);
    expect(accounts[1].balances[0]).toEqual({ type: 'interimAvailable', amount: '152340.75', currency: 'NOK', referenceDate: expect.any(String) });
    expect((await r.service.transactions(PERSON_WITH_DEBT, 'spv-10003-bsu')).booked).toHaveLength(1);
    const calls = bank.sandbox.getCalls();
    expect(calls.map((c) => c.endpoint)).toEqual(['accounts', 'balances', 'balances', 'balances', 'transactions']);
    for (const call of calls) {
      expect(call.status).toBe(200);
      expect(call.headers).toMatchObject({ authorization: 'none', psuId: 'present', fallbackCert: 'present', fallbackJwt: 'present', accept: 'application/json' });
    }
  });

  it('accepts the same JWT again within its hour, but refuses it once it has expired', async () => {
    let now = Date.now() - 2 * HOUR * 1000;
    const past = signed(rsa, () => now);
    const old = await past.headers();
    expect(await read(old[FALLBACK_CERT_HEADER], old[FALLBACK_JWT_HEADER])).toEqual({ status: 401, reason: 'JWT_EXPIRED' });
    now = Date.now();
    const fresh = await past.headers();
    expect(fresh[FALLBACK_JWT_HEADER]).not.toBe(old[FALLBACK_JWT_HEADER]);
    expect((await read(fresh[FALLBACK_CERT_HEADER], fresh[FALLBACK_JWT_HEADER])).status).toBe(200);
    expect((await read(fresh[FALLBACK_CERT_HEADER], fresh[FALLBACK_JWT_HEADER])).status).toBe(200);
    bank.sandbox.advanceClock(HOUR * 1000);
    expect(await read(fresh[FALLBACK_CERT_HEADER], fresh[FALLBACK_JWT_HEADER])).toEqual({ status: 401, reason: 'JWT_EXPIRED' });
  });

  it('refuses a tampered JWT', async () => {
    const { [FALLBACK_CERT_HEADER]: cert, [FALLBACK_JWT_HEADER]: jwt } = await signed(rsa).headers();
    const [h, p, s] = jwt.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 600 })).toString('base64url')}.${s}`;
    expect(await read(cert, tampered)).toEqual({ status: 401, reason: 'JWT_SIGNATURE_INVALID' });
    const otherKey = await craft(rsa, { key: ec.leafKeyPem, header: { alg: 'ES256' } });
    expect((await read(cert, otherKey)).reason).toBe('JWT_ALG_MISMATCH');
  });

  it("refuses a kid or x5t that is not the certificate's", async () => {
    const cert = await signed(rsa).certificateHeader();
    const caSha1 = createHash('sha1').update(new X509Certificate(ca.pem).raw).digest('hex').toUpperCase();
    expect(await read(cert, await craft(rsa, { header: { kid: caSha1 } }))).toEqual({ status: 401, reason: 'JWT_KID_MISMATCH' });
    const leafSha1 = createHash('sha1').update(new X509Certificate(rsa.leafCertPem).raw).digest('hex');
    expect((await read(cert, await craft(rsa, { header: { kid: leafSha1 } }))).reason).toBe('JWT_KID_MISMATCH'); // lowercase hex
    expect((await read(cert, await craft(rsa, { header: { x5t: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA' } }))).reason).toBe('JWT_X5T_MISMATCH');
  });

  it('refuses a reused jti on another JWT', async () => {
    const cert = await signed(rsa).certificateHeader();
    const jti = randomBytes(16).toString('hex');
    const now = Math.floor(Date.now() / 1000);
    expect((await read(cert, await craft(rsa, { claims: { jti }, iat: now - 10 }))).status).toBe(200);
    expect(await read(cert, await craft(rsa, { claims: { jti }, iat: now }))).toEqual({ status: 401, reason: 'JWT_JTI_REUSED' });
    expect((await read(cert, await craft(rsa, { claims: { jti: 'short' } }))).reason).toBe('JWT_JTI_INVALID');
  });

  it('refuses a lifetime over an hour, a wrong audience, an iss not in the certificate and iat ≠ nbf', async () => {
    const cert = await signed(rsa).certificateHeader();
    const now = Math.floor(Date.now() / 1000);
    expect((await read(cert, await craft(rsa, { exp: now + HOUR + 1 }))).reason).toBe('JWT_LIFETIME_TOO_LONG');
    expect((await read(cert, await craft(rsa, { claims: { aud: 'spv fallback test' } }))).reason).toBe('JWT_AUD_MISMATCH');
    expect((await read(cert, await craft(rsa, { claims: { iss: 'Someone Else AS' } }))).reason).toBe('JWT_ISS_MISMATCH');
    expect((await read(cert, await craft(rsa, { claims: { nbf: now - 60 } }))).reason).toBe('JWT_TIMES_INVALID');
  });

  it('refuses a chain that does not lead to its trusted CA, a JWK that is not the leaf key, and one header alone', async () => {
    const stranger = await createTestPki({ keyType: 'RSA' });
    const strangerHeaders = await signed(stranger).headers();
    expect(await read(strangerHeaders[FALLBACK_CERT_HEADER], strangerHeaders[FALLBACK_JWT_HEADER])).toEqual({ status: 401, reason: 'CERT_UNTRUSTED' });
    const ours = await signed(rsa).headers();
    const jwk = JSON.parse(Buffer.from(ours[FALLBACK_CERT_HEADER], 'base64').toString());
    const ecJwk = JSON.parse(Buffer.from(await signed(ec).certificateHeader(), 'base64').toString());
    const swapped = Buffer.from(JSON.stringify({ ...ecJwk, x5c: jwk.x5c })).toString('base64');
    expect((await read(swapped, ours[FALLBACK_JWT_HEADER])).reason).toBe('JWK_KEY_MISMATCH');
    const urlSafe = Buffer.from(JSON.stringify({ ...jwk, x5c: jwk.x5c.map((c: string) => Buffer.from(c, 'base64').toString('base64url')) })).toString('base64');
    expect((await read(urlSafe, ours[FALLBACK_JWT_HEADER])).reason).toBe('CERT_HEADER_MALFORMED');
    expect((await read(ours[FALLBACK_CERT_HEADER], undefined)).reason).toBe('FALLBACK_HEADERS_INCOMPLETE');
  });

  it('surfaces a refusal of our headers as OPENBANKING_REJECTED', async () => {
    const r = shared.replica(configFor(fallbackEnv(bank, rsa, { OPENBANKING_FALLBACK_AUDIENCE: 'spv fallback test' })));
    await expect(r.service.accountsWithBalances(PERSON_WITH_DEBT)).rejects.toMatchObject({ code: 'OPENBANKING_REJECTED' });
    expect(bank.sandbox.getCalls('accounts')[0]).toMatchObject({ status: 401, refusal: 'JWT_AUD_MISMATCH' });
  });
});

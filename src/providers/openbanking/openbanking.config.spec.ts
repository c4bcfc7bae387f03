import { createTestCa, createTestPki, TestPki } from './sandbox/test-certificates';
import { DEFAULT_FALLBACK_AUDIENCE, parseOpenbankingConfig } from './openbanking.config';

const API = {
  OPENBANKING_API_URL: 'https://account.example.no',
  OPENBANKING_TOKEN_URL: 'https://example.eu.auth0.com/oauth/token',
  OPENBANKING_AUDIENCE: 'https://openbanking.example.no',
  OPENBANKING_CLIENT_ID: 'client-1',
  OPENBANKING_CLIENT_SECRET: 'very-secret-value',
};

const fallbackEnv = (pki: TestPki, extra: Record<string, string> = {}) => ({
  OPENBANKING_MODE: 'fallback',
  OPENBANKING_API_URL: 'https://account.example.no/',
  OPENBANKING_QSEAL_KEY: pki.leafKeyPem,
  OPENBANKING_QSEAL_CERT_CHAIN: pki.chainPem,
  OPENBANKING_TPP_NAME: pki.tppName,
  ...extra,
});

const variables = (env: Record<string, string>, sandbox = false) => parseOpenbankingConfig(env, { sandbox }).problems.map((p) => p.variable);

describe('parseOpenbankingConfig', () => {
  let rsa: TestPki;
  let ec: TestPki;
  beforeAll(async () => {
    [rsa, ec] = await Promise.all([createTestPki({ keyType: 'RSA', tppName: 'Lånehjelp Test AS' }), createTestPki({ keyType: 'EC' })]);
  });

  it('takes api mode by default, with a 5000 ms timeout', () => {
    const { config, problems } = parseOpenbankingConfig(API, { sandbox: false });
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ mode: 'api', apiUrl: 'https://account.example.no', timeoutMs: 5000, clientId: 'client-1', audience: API.OPENBANKING_AUDIENCE });
  });

  it('names every missing api-mode variable once, outside sandbox mode', () => {
    expect(variables({}).sort()).toEqual(['OPENBANKING_API_URL', 'OPENBANKING_AUDIENCE', 'OPENBANKING_CLIENT_ID', 'OPENBANKING_CLIENT_SECRET', 'OPENBANKING_TOKEN_URL']);
  });

  it('fills unset variables from the sandbox defaults in sandbox mode only', () => {
    const defaults = { ...API, OPENBANKING_API_URL: 'http://127.0.0.1:3000/sandbox/openbanking' };
    expect(parseOpenbankingConfig({}, { sandbox: true, sandboxDefaults: defaults }).config?.apiUrl).toBe('http://127.0.0.1:3000/sandbox/openbanking');
    expect(variables({ ...API, OPENBANKING_API_URL: '' })).toEqual(['OPENBANKING_API_URL']);
  });

  it('refuses plain http except on loopback, and a bad mode or timeout', () => {
    expect(variables({ ...API, OPENBANKING_TOKEN_URL: 'http://auth.example.no/oauth/token' })).toEqual(['OPENBANKING_TOKEN_URL']);
    expect(variables({ ...API, OPENBANKING_API_URL: 'http://127.0.0.1:8080' })).toEqual([]);
    expect(variables({ ...API, OPENBANKING_MODE: 'psd2' })).toEqual(['OPENBANKING_MODE']);
    expect(variables({ ...API, OPENBANKING_TIMEOUT_MS: '5s' })).toEqual(['OPENBANKING_TIMEOUT_MS']);
    expect(parseOpenbankingConfig({ ...API, OPENBANKING_TIMEOUT_MS: '750' }, { sandbox: false }).config?.timeoutMs).toBe(750);
  });

  it('never echoes a secret value in a problem', () => {
    const { problems } = parseOpenbankingConfig({ ...API, OPENBANKING_MODE: 'fallback', OPENBANKING_QSEAL_KEY: 'not-a-key-but-secret-text', OPENBANKING_QSEAL_CERT_CHAIN: 'x', OPENBANKING_TPP_NAME: 'A' }, { sandbox: false });
    expect(problems.map((p) => p.variable).sort()).toEqual(['OPENBANKING_QSEAL_CERT_CHAIN', 'OPENBANKING_QSEAL_KEY']);
    expect(JSON.stringify(problems)).not.toContain('secret-text');
  });

  it.each(['RSA', 'EC'] as const)('accepts a matching %s key and chain, with the default fallback audience', (type) => {
    const pki = type === 'RSA' ? rsa : ec;
    const { config, problems } = parseOpenbankingConfig(fallbackEnv(pki), { sandbox: false });
    expect(problems).toEqual([]);
    expect(config?.qseal).toMatchObject({ alg: type === 'RSA' ? 'RS256' : 'ES256', tppName: pki.tppName, audience: DEFAULT_FALLBACK_AUDIENCE });
    expect(config?.qseal?.chain).toHaveLength(2);
  });

  it('keeps the QSeal key and the client secret out of its JSON form', () => {
    const fallback = JSON.stringify(parseOpenbankingConfig(fallbackEnv(rsa), { sandbox: false }).config);
    const keyBody = rsa.leafKeyPem.split('\n')[1];
    expect(fallback).not.toContain(keyBody);
    expect(JSON.parse(fallback).qseal).toMatchObject({ key: '[secret]', tppName: rsa.tppName });
    const api = JSON.stringify(parseOpenbankingConfig(API, { sandbox: false }).config);
    expect(api).not.toContain(API.OPENBANKING_CLIENT_SECRET);
  });

  it("refuses a key that is not the leaf certificate's", () => {
    expect(variables(fallbackEnv(rsa, { OPENBANKING_QSEAL_KEY: ec.leafKeyPem }))).toEqual(['OPENBANKING_QSEAL_KEY']);
  });

  it('refuses a chain out of order or not linked', async () => {
    const [leaf, ca] = rsa.chainPem.split(/(?<=-----END CERTIFICATE-----)\n/);
    expect(parseOpenbankingConfig(fallbackEnv(rsa, { OPENBANKING_QSEAL_CERT_CHAIN: `${ca}\n${leaf}` }), { sandbox: false }).problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ variable: 'OPENBANKING_QSEAL_CERT_CHAIN', message: expect.stringContaining('not in order') })]),
    );
    const stranger = await createTestCa('RSA', 'CN=Another CA, C=NO');
    expect(variables(fallbackEnv(rsa, { OPENBANKING_QSEAL_CERT_CHAIN: `${rsa.leafCertPem}\n${stranger.pem}` }))).toEqual(['OPENBANKING_QSEAL_CERT_CHAIN']);
  });

  it("requires OPENBANKING_TPP_NAME to equal the subject's O or CN exactly", () => {
    expect(variables(fallbackEnv(rsa, { OPENBANKING_TPP_NAME: 'Lånehjelp Test' }))).toEqual(['OPENBANKING_TPP_NAME']);
    expect(variables(fallbackEnv(rsa, { OPENBANKING_TPP_NAME: 'lånehjelp test as' }))).toEqual(['OPENBANKING_TPP_NAME']);
    expect(variables(fallbackEnv(rsa, { OPENBANKING_TPP_NAME: 'Lånehjelp Test AS' }))).toEqual([]);
  });

  it('refuses a key type other than RSA or P-256', () => {
    const ed = require('node:crypto').generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(parseOpenbankingConfig(fallbackEnv(rsa, { OPENBANKING_QSEAL_KEY: ed }), { sandbox: false }).problems).toEqual([
      { variable: 'OPENBANKING_QSEAL_KEY', message: 'must be an RSA key (RS256) or a P-256 EC key (ES256)' },
    ]);
  });

  it('refuses an RSA key under 2048 bits', () => {
    const small = require('node:crypto').generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(parseOpenbankingConfig(fallbackEnv(rsa, { OPENBANKING_QSEAL_KEY: small }), { sandbox: false }).problems).toEqual([
      { variable: 'OPENBANKING_QSEAL_KEY', message: 'must be an RSA key of at least 2048 bits' },
    ]);
  });

  it('accepts PEM given on one line with \\n escapes', () => {
    const oneLine = (pem: string) => pem.replace(/\n/g, '\\n');
    expect(variables(fallbackEnv(ec, { OPENBANKING_QSEAL_KEY: oneLine(ec.leafKeyPem), OPENBANKING_QSEAL_CERT_CHAIN: oneLine(ec.chainPem) }))).toEqual([]);
  });
});

import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { generateSandboxBusinessCertificate } from '../sandbox/maskinporten/sandbox-business-certificate';
import { generateSandboxClientKey } from '../sandbox/maskinporten/sandbox-client-keys';
import { loadMaskinportenConfig, type MaskinportenConfig } from './maskinporten.config';

describe('loadMaskinportenConfig', () => {
  const key = generateSandboxClientKey('our-kid');
  const base = { MASKINPORTEN_CLIENT_ID: 'client-1', MASKINPORTEN_PRIVATE_KEY: key.privateKeyPem, MASKINPORTEN_KID: 'our-kid' };
  const ok = (vars: Record<string, string | undefined>): MaskinportenConfig => {
    const result = loadMaskinportenConfig(vars);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return result.config;
  };
  const problems = (vars: Record<string, string | undefined>, sandbox?: Parameters<typeof loadMaskinportenConfig>[1]) => {
    const result = loadMaskinportenConfig(vars, sandbox);
    return result.ok ? [] : result.problems;
  };

  it('presets the issuer from ALTINN_ENV: tt02 by default, prod on request', () => {
    expect(ok(base).issuer).toBe('https://test.maskinporten.no/');
    expect(ok({ ...base, ALTINN_ENV: 'prod' }).issuer).toBe('https://maskinporten.no/');
    expect(ok({ ...base, MASKINPORTEN_ISSUER: 'http://127.0.0.1:4000/' }).issuer).toBe('http://127.0.0.1:4000/');
  });

  it('reads a PEM key with its kid, and a timeout defaulting to 5000 ms', () => {
    const config = ok({ ...base, ALTINN_TIMEOUT_MS: '2500' });
    expect(config).toMatchObject({ clientId: 'client-1', algorithm: 'RS256', binding: { kid: 'our-kid' }, timeoutMs: 2500 });
    expect(config.privateKey.type).toBe('private');
    expect(ok(base).timeoutMs).toBe(5000);
  });

  it('reads a private JWK and takes its alg', () => {
    const jwk = { ...(createPrivateKey(key.privateKeyPem).export({ format: 'jwk' }) as object), alg: 'RS512' };
    expect(ok({ ...base, MASKINPORTEN_PRIVATE_KEY: JSON.stringify(jwk) }).algorithm).toBe('RS512');
  });

  it('turns a PEM certificate chain into x5c, standard base64 DER, leaf first', async () => {
    const cert = await generateSandboxBusinessCertificate('991825827');
    const config = ok({ MASKINPORTEN_CLIENT_ID: 'client-1', MASKINPORTEN_PRIVATE_KEY: cert.privateKeyPem, MASKINPORTEN_CERT_CHAIN: cert.chainPem });
    if (!('x5c' in config.binding)) throw new Error('expected x5c');
    expect(config.binding.x5c).toHaveLength(2);
    expect(config.binding.x5c[0]).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(new X509Certificate(Buffer.from(config.binding.x5c[0], 'base64')).subject).toContain('SANDBOX BANK');
    expect(new X509Certificate(Buffer.from(config.binding.x5c[1], 'base64')).subject).toContain('Sandbox Test CA');
  });

  it('refuses a chain whose leaf does not hold our key, naming the variable only', async () => {
    const cert = await generateSandboxBusinessCertificate('991825827');
    expect(problems({ MASKINPORTEN_CLIENT_ID: 'c', MASKINPORTEN_PRIVATE_KEY: key.privateKeyPem, MASKINPORTEN_CERT_CHAIN: cert.chainPem })).toEqual([
      { variable: 'MASKINPORTEN_CERT_CHAIN', message: expect.stringContaining('leaf') },
    ]);
  });

  it('wants exactly one of MASKINPORTEN_KID and MASKINPORTEN_CERT_CHAIN', async () => {
    const cert = await generateSandboxBusinessCertificate('991825827');
    expect(problems({ MASKINPORTEN_CLIENT_ID: 'c', MASKINPORTEN_PRIVATE_KEY: cert.privateKeyPem }).map((p) => p.variable)).toEqual(['MASKINPORTEN_KID']);
    expect(problems({ ...base, MASKINPORTEN_PRIVATE_KEY: cert.privateKeyPem, MASKINPORTEN_CERT_CHAIN: cert.chainPem }).map((p) => p.variable)).toEqual(['MASKINPORTEN_KID']);
  });

  it('lists every problem at once and never echoes a secret', () => {
    const secret = 'not-a-key-SECRET-123';
    const found = problems({ ALTINN_ENV: 'staging', MASKINPORTEN_ISSUER: 'http://maskinporten.example/', MASKINPORTEN_PRIVATE_KEY: secret, ALTINN_TIMEOUT_MS: 'soon' });
    expect(found.map((p) => p.variable).sort()).toEqual(['ALTINN_ENV', 'ALTINN_TIMEOUT_MS', 'MASKINPORTEN_CLIENT_ID', 'MASKINPORTEN_ISSUER', 'MASKINPORTEN_KID', 'MASKINPORTEN_PRIVATE_KEY']);
    expect(JSON.stringify(found)).not.toContain(secret);
    expect(found.find((p) => p.variable === 'MASKINPORTEN_ISSUER')?.message).toMatch(/https/);
  });

  it('refuses a broken PEM without quoting it, and a short RSA key', () => {
    const broken = '-----BEGIN PRIVATE KEY-----\nAAAASECRETBYTES\n-----END PRIVATE KEY-----';
    const found = problems({ ...base, MASKINPORTEN_PRIVATE_KEY: broken });
    expect(found).toEqual([{ variable: 'MASKINPORTEN_PRIVATE_KEY', message: expect.any(String) }]);
    expect(JSON.stringify(found)).not.toContain('SECRETBYTES');
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(problems({ ...base, MASKINPORTEN_PRIVATE_KEY: small })[0].message).toMatch(/2048/);
  });

  it('takes sandbox defaults for what is not set, and the environment over them', () => {
    const sandbox = { issuer: 'http://127.0.0.1:9/sandbox/maskinporten/', clientId: 'sandbox-client', privateKey: key.privateKeyPem, kid: 'sandbox-kid' };
    const result = loadMaskinportenConfig({}, sandbox);
    expect(result.ok && result.config).toMatchObject({ issuer: sandbox.issuer, clientId: 'sandbox-client', binding: { kid: 'sandbox-kid' } });
    const overridden = loadMaskinportenConfig({ MASKINPORTEN_CLIENT_ID: 'mine' }, sandbox);
    expect(overridden.ok && overridden.config.clientId).toBe('mine');
  });
});

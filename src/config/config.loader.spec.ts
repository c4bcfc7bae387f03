import { generateKeyPairSync } from 'node:crypto';
import { configProblemsOf, PRODUCTION_ENV, testKey } from '../../test/support/config-fixtures';
import { ConfigError, loadConfig } from './config.loader';

const key = testKey;
const production = PRODUCTION_ENV;

const OPENBANKING_API = {
  OPENBANKING_API_URL: 'https://account.partner.example',
  OPENBANKING_TOKEN_URL: 'https://partner.eu.auth0.com/oauth/token',
  OPENBANKING_AUDIENCE: 'https://openbanking.partner.example',
  OPENBANKING_CLIENT_ID: 'bank-client',
  OPENBANKING_CLIENT_SECRET: 'partner-secret',
};

const problemsOf = configProblemsOf;

describe('loadConfig', () => {
  it('runs in sandbox mode when nothing is configured', () => {
    const config = loadConfig({});
    expect(config.sandbox).toBe(true);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.nogiIssuer).toBe('http://localhost:3000/sandbox/nogi');
    expect(config.nogiRedirectUri).toBe('http://localhost:3000/v1/consent-flows/callback');
    expect(config.dataEncryptionKeys[0]).toHaveLength(32);
  });

  it('takes the NoGi URLs from the NOGI_ENV preset and derives the three audiences', () => {
    const config = loadConfig(production);
    expect(config.nogiIssuer).toBe('https://access-preprod.norskgjeld.no');
    expect(config.nogiAudiences).toEqual({
      debt: 'https://api-preprod.norskgjeld.no/v1/debt',
      agreement: 'https://api-preprod.norskgjeld.no/v1/consent/agreement',
      feed: 'https://api-preprod.norskgjeld.no/feed/v1/consent',
    });
    expect(config.returnUrlAllowlist).toEqual(['https://nettbank.bank.example', 'https://app.bank.example']);
    expect(config.dataEncryptionKeys).toHaveLength(2);
  });

  it('removes a trailing slash from NOGI_API_URL before building audiences', () => {
    const config = loadConfig({ ...production, NOGI_API_URL: 'https://api.example/' });
    expect(config.nogiAudiences.debt).toBe('https://api.example/v1/debt');
  });

  it('names every missing variable in one message outside sandbox mode', () => {
    const error = (() => {
      try {
        loadConfig({ NOGI_ENV: 'prod' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'NOGI_CLIENT_ID', 'NOGI_CLIENT_SECRET', 'NOGI_REDIRECT_URI',
      'RETURN_URL_ALLOWLIST', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URL', 'DATA_ENCRYPTION_KEY', 'NATIONAL_ID_HMAC_KEY']) {
      expect(error.message).toContain(`${name}: is required outside sandbox mode`);
    }
  });

  it('refuses sandbox mode under NODE_ENV=production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual(['NOGI_ENV']);
  });

  it('accepts any NODE_ENV other than production (staging), sandbox mode included', () => {
    expect(problemsOf({ ...production, NODE_ENV: 'staging' })).toEqual([]);
    expect(loadConfig({ ...production, NODE_ENV: 'staging' }).production).toBe(false);
    expect(loadConfig({ NODE_ENV: 'staging' }).sandbox).toBe(true);
  });

  it('takes the shutdown drain from SHUTDOWN_DRAIN_SECONDS (default 20) and refuses a value that is not a positive integer', () => {
    expect(loadConfig(production).shutdownDrainSeconds).toBe(20);
    expect(loadConfig({ ...production, SHUTDOWN_DRAIN_SECONDS: '45' }).shutdownDrainSeconds).toBe(45);
    for (const bad of ['0', '-1', '2.5', 'soon', '3601']) expect(problemsOf({ ...production, SHUTDOWN_DRAIN_SECONDS: bad })).toEqual(['SHUTDOWN_DRAIN_SECONDS']);
  });

  it('keeps sandbox mode on this machine: NoGi, the database and Redis must be loopback addresses there', () => {
    expect(problemsOf({ NOGI_ISSUER: 'https://access-preprod.norskgjeld.no', DATABASE_URL: 'postgres://u@db.bank.example/x', REDIS_URL: 'redis://cache.bank.example:6379' })).toEqual(['NOGI_ISSUER', 'DATABASE_URL', 'REDIS_URL']);
    expect(problemsOf({ NOGI_API_URL: 'http://127.0.0.1:4010', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/dev', REDIS_URL: 'redis://localhost:6379' })).toEqual([]);
  });

  it('refuses plain-http NoGi URLs except on loopback', () => {
    expect(problemsOf({ ...production, NOGI_ISSUER: 'http://access.example' })).toEqual(['NOGI_ISSUER']);
    expect(problemsOf({ ...production, NOGI_ISSUER: 'http://127.0.0.1:4010' })).toEqual([]);
  });

  it('refuses keys that are not base64 of 32 bytes and malformed numbers and origins', () => {
    expect(problemsOf({ ...production, DATA_ENCRYPTION_KEY: 'c2hvcnQ=', PORT: 'eighty', RETURN_URL_ALLOWLIST: 'https://x.example/path' }).sort())
      .toEqual(['DATA_ENCRYPTION_KEY', 'PORT', 'RETURN_URL_ALLOWLIST']);
  });

  it('retries a queued revocation for REVOCATION_GIVE_UP_HOURS, 72 unless set, and refuses a value that is not a whole number of hours', () => {
    expect(loadConfig(production).revocationGiveUpHours).toBe(72);
    expect(loadConfig({ ...production, REVOCATION_GIVE_UP_HOURS: '12' }).revocationGiveUpHours).toBe(12);
    expect(problemsOf({ ...production, REVOCATION_GIVE_UP_HOURS: '0' })).toEqual(['REVOCATION_GIVE_UP_HOURS']);
    expect(problemsOf({ ...production, REVOCATION_GIVE_UP_HOURS: '1.5' })).toEqual(['REVOCATION_GIVE_UP_HOURS']);
  });

  it('never prints secrets when serialised', () => {
    const text = JSON.stringify(loadConfig(production));
    expect(text).not.toContain('from-the-secret-store');
    expect(text).not.toContain(key(3));
    expect(text).not.toContain('cache.internal');
  });

  it('enables NoGi only by default, every provider in sandbox mode, and the listed ones with PROVIDERS', () => {
    expect(loadConfig(production).providers).toEqual(['nogi']);
    expect(loadConfig({}).providers).toEqual(['nogi', 'altinn', 'openbanking']);
    expect(loadConfig({ ...production, ...OPENBANKING_API, PROVIDERS: ' openbanking , nogi' }).providers).toEqual(['nogi', 'openbanking']);
    expect(loadConfig({ PROVIDERS: 'nogi' }).providers).toEqual(['nogi']);
  });

  it("needs NoGi's variables only when NoGi is enabled", () => {
    const { NOGI_CLIENT_ID, NOGI_CLIENT_SECRET, NOGI_REDIRECT_URI, ...withoutNogi } = production;
    void [NOGI_CLIENT_ID, NOGI_CLIENT_SECRET, NOGI_REDIRECT_URI];
    expect(problemsOf({ ...withoutNogi, PROVIDERS: 'nogi' })).toEqual(expect.arrayContaining(['NOGI_CLIENT_ID', 'NOGI_CLIENT_SECRET', 'NOGI_REDIRECT_URI']));
    expect(problemsOf({ ...withoutNogi, PROVIDERS: 'altinn,openbanking' }).filter((v) => v.startsWith('NOGI_'))).toEqual([]);
  });

  it('refuses to start with an unknown provider in PROVIDERS, naming it', () => {
    expect(problemsOf({ ...production, PROVIDERS: 'nogi,bankid' })).toEqual(['PROVIDERS']);
    expect(problemsOf({ ...production, PROVIDERS: ',' })).toEqual(['PROVIDERS']);
    expect(() => loadConfig({ ...production, PROVIDERS: 'nogi,bankid' })).toThrow(/PROVIDERS: unknown provider "bankid"; known: nogi, altinn, openbanking/);
  });

  describe('Altinn', () => {
    it('fills in the simulators, a client key per run and the sandbox bank in sandbox mode', () => {
      const config = loadConfig({ PORT: '4100' });
      expect(config.altinn).toMatchObject({ version: 3, platformUrl: 'http://localhost:4100/sandbox/altinn', orgNumber: '991825827', redirectUri: 'http://localhost:4100/v1/consent-flows/callback/altinn', eventsPollIntervalSeconds: 60, timeoutMs: 5000 });
      expect(config.maskinporten).toMatchObject({ issuer: 'http://localhost:4100/sandbox/maskinporten/', clientId: 'nogi-consent-bff-sandbox', binding: { kid: expect.any(String) } });
      expect(config.skatteetaten).toMatchObject({ taxAssessmentUrl: 'http://localhost:4100/sandbox/skatteetaten/summertskattegrunnlag/v2', incomeUrl: 'http://localhost:4100/sandbox/skatteetaten/inntekt/v1' });
      expect(loadConfig({}).maskinporten!.privateKey.equals(config.maskinporten!.privateKey)).toBe(false);
      expect(JSON.stringify(config)).not.toContain('PRIVATE KEY');
      expect(JSON.parse(JSON.stringify(config)).maskinporten.privateKey).toBe('[secret]');
    });

    it('is left out unless PROVIDERS enables it', () => {
      expect(loadConfig({ ...production }).altinn).toBeUndefined();
    });

    it('names every missing Altinn, Maskinporten and Skatteetaten variable in the one error, each once', () => {
      expect(problemsOf({ ...production, PROVIDERS: 'nogi,altinn', ALTINN_TIMEOUT_MS: 'slow' })).toEqual(['ALTINN_ORG_NUMBER', 'ALTINN_REDIRECT_URI', 'ALTINN_TIMEOUT_MS', 'MASKINPORTEN_CLIENT_ID', 'MASKINPORTEN_PRIVATE_KEY', 'MASKINPORTEN_KID']);
    });

    it('reads ALTINN2_* only with ALTINN_VERSION=2, keeping its ApiKey out of the JSON', () => {
      expect(loadConfig({}).altinn2).toBeUndefined();
      const config = loadConfig({ ALTINN_VERSION: '2' });
      expect(config.altinn2).toMatchObject({ url: 'http://localhost:3000/sandbox/altinn2', resources: { income: { code: '4804' } } });
      expect(JSON.parse(JSON.stringify(config)).altinn2.apiKey).toBe('[secret]');
      expect(problemsOf({ ...production, PROVIDERS: 'altinn', ALTINN_VERSION: '2' })).toEqual(expect.arrayContaining(['ALTINN2_API_KEY', 'ALTINN2_RESOURCES_TAX_ASSESSMENT', 'ALTINN2_RESOURCES_INCOME']));
    });

    it('takes the tt02 presets outside sandbox mode', () => {
      const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      const config = loadConfig({ ...production, PROVIDERS: 'nogi,altinn', ALTINN_ORG_NUMBER: '974760673', ALTINN_REDIRECT_URI: 'https://bank.example/v1/consent-flows/callback/altinn', MASKINPORTEN_CLIENT_ID: 'c', MASKINPORTEN_PRIVATE_KEY: pem, MASKINPORTEN_KID: 'k' });
      expect([config.altinn?.platformUrl, config.maskinporten?.issuer, config.skatteetaten?.incomeUrl]).toEqual(['https://platform.tt02.altinn.no', 'https://test.maskinporten.no/', 'https://inntekt.api.skatteetaten-test.no/v1']);
    });
  });
});

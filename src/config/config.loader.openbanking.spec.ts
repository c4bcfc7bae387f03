import { configProblemsOf, PRODUCTION_ENV, testKey } from '../../test/support/config-fixtures';
import { ConfigError, loadConfig, loadOpenbankingConfig } from './config.loader';

const key = testKey;
// NoGi prod, one data key, one return origin: nothing the partner bank's slice depends on.
const production = { ...PRODUCTION_ENV, NOGI_ENV: 'prod', RETURN_URL_ALLOWLIST: 'https://nettbank.bank.example', DATA_ENCRYPTION_KEY: key(1), PROVIDERS: 'nogi,openbanking' };
const partner = {
  OPENBANKING_API_URL: 'https://account.partner.example/',
  OPENBANKING_TOKEN_URL: 'https://partner.eu.auth0.com/oauth/token',
  OPENBANKING_AUDIENCE: 'https://openbanking.partner.example',
  OPENBANKING_CLIENT_ID: 'bank-client',
  OPENBANKING_CLIENT_SECRET: 'partner-secret-value',
};
const sandboxDefaults = {
  OPENBANKING_API_URL: 'http://localhost:3000/sandbox/openbanking',
  OPENBANKING_TOKEN_URL: 'http://localhost:3000/sandbox/openbanking/oauth/token',
  OPENBANKING_AUDIENCE: 'https://openbanking.sandbox.localhost',
  OPENBANKING_CLIENT_ID: 'sandbox-client',
  OPENBANKING_CLIENT_SECRET: 'sandbox-secret',
};

const problemsOf = configProblemsOf;

describe('loadConfig: OPENBANKING_*', () => {
  it('reads the partner bank when PROVIDERS enables openbanking, and only then', () => {
    const config = loadConfig({ ...production, ...partner });
    expect(config.openbanking).toMatchObject({ mode: 'api', apiUrl: 'https://account.partner.example', clientId: 'bank-client', timeoutMs: 5000 });
    expect(loadConfig({ ...production, ...partner, PROVIDERS: 'nogi' }).openbanking).toBeUndefined();
  });

  it('names every missing variable in the one start-up error, with the other problems', () => {
    expect(problemsOf({ ...production, NOGI_CLIENT_SECRET: '' }).sort()).toEqual(
      ['NOGI_CLIENT_SECRET', 'OPENBANKING_API_URL', 'OPENBANKING_AUDIENCE', 'OPENBANKING_CLIENT_ID', 'OPENBANKING_CLIENT_SECRET', 'OPENBANKING_TOKEN_URL'].sort(),
    );
    expect(problemsOf({ ...production, ...partner, OPENBANKING_MODE: 'fallback' }).sort()).toEqual(['OPENBANKING_QSEAL_CERT_CHAIN', 'OPENBANKING_QSEAL_KEY', 'OPENBANKING_TPP_NAME']);
    expect(problemsOf({ ...production, ...partner, OPENBANKING_API_URL: 'http://account.partner.example' })).toEqual(['OPENBANKING_API_URL']);
  });

  it('never prints the client secret when serialised', () => {
    const text = JSON.stringify(loadConfig({ ...production, ...partner }));
    expect(text).not.toContain('partner-secret-value');
    expect(text).toContain('account.partner.example');
  });

  it('leaves sandbox mode to the sandbox runtime, which reads it with the simulator defaults', () => {
    expect(loadConfig({}).openbanking).toBeUndefined();
    expect(loadConfig({}, { openbankingSandboxDefaults: sandboxDefaults }).openbanking?.apiUrl).toBe('http://localhost:3000/sandbox/openbanking');
    expect(loadOpenbankingConfig({ OPENBANKING_TIMEOUT_MS: '900' }, { sandbox: true, sandboxDefaults }).timeoutMs).toBe(900);
    expect(() => loadOpenbankingConfig({ OPENBANKING_TIMEOUT_MS: 'soon' }, { sandbox: true, sandboxDefaults })).toThrow(ConfigError);
  });

  it('keeps the partner bank on this machine in sandbox mode (it issues caller tokens to anyone)', () => {
    expect(() => loadOpenbankingConfig({ OPENBANKING_API_URL: 'https://account.partner.example' }, { sandbox: true, sandboxDefaults })).toThrow(/OPENBANKING_API_URL: must be a loopback address in sandbox mode/);
  });
});

import { loadAltinnConfig } from './altinn.config';

const REQUIRED = { ALTINN_ORG_NUMBER: '974760673', ALTINN_REDIRECT_URI: 'https://bank.example/v1/consent-flows/callback/altinn' };

function problemsOf(env: Record<string, string | undefined>, sandbox?: Parameters<typeof loadAltinnConfig>[1]) {
  return loadAltinnConfig(env, sandbox).problems?.map((p) => p.variable) ?? [];
}

describe('loadAltinnConfig', () => {
  it('defaults to Altinn 3 in tt02, polling every 60 s with a 5 s timeout', () => {
    expect(loadAltinnConfig(REQUIRED).config).toEqual({
      env: 'tt02',
      version: 3,
      platformUrl: 'https://platform.tt02.altinn.no',
      orgNumber: '974760673',
      redirectUri: 'https://bank.example/v1/consent-flows/callback/altinn',
      eventsPollIntervalSeconds: 60,
      timeoutMs: 5000,
    });
  });

  it('takes the production platform from ALTINN_ENV=prod, and an explicit ALTINN_PLATFORM_URL over any preset', () => {
    expect(loadAltinnConfig({ ...REQUIRED, ALTINN_ENV: 'prod' }).config?.platformUrl).toBe('https://platform.altinn.no');
    expect(loadAltinnConfig({ ...REQUIRED, ALTINN_ENV: 'prod', ALTINN_PLATFORM_URL: 'https://altinn-proxy.bank.example/' }).config?.platformUrl).toBe('https://altinn-proxy.bank.example');
  });

  it('reads the version, the poll interval (0 = off) and the timeout', () => {
    const config = loadAltinnConfig({ ...REQUIRED, ALTINN_VERSION: '2', ALTINN_EVENTS_POLL_INTERVAL_SECONDS: '0', ALTINN_TIMEOUT_MS: '1500' }).config;
    expect(config).toMatchObject({ version: 2, eventsPollIntervalSeconds: 0, timeoutMs: 1500 });
  });

  it('names every wrong variable at once', () => {
    expect(
      problemsOf({
        ALTINN_ENV: 'test',
        ALTINN_VERSION: '4',
        ALTINN_PLATFORM_URL: 'not a url',
        ALTINN_ORG_NUMBER: '974760674',
        ALTINN_REDIRECT_URI: 'http://bank.example/cb',
        ALTINN_EVENTS_POLL_INTERVAL_SECONDS: '-1',
        ALTINN_TIMEOUT_MS: 'fast',
      }),
    ).toEqual(['ALTINN_ENV', 'ALTINN_VERSION', 'ALTINN_PLATFORM_URL', 'ALTINN_ORG_NUMBER', 'ALTINN_REDIRECT_URI', 'ALTINN_EVENTS_POLL_INTERVAL_SECONDS', 'ALTINN_TIMEOUT_MS']);
  });

  it('requires the organisation number and redirect URI outside sandbox mode', () => {
    const problems = loadAltinnConfig({}).problems ?? [];
    expect(problems).toEqual([
      { variable: 'ALTINN_ORG_NUMBER', message: expect.stringContaining('required') },
      { variable: 'ALTINN_REDIRECT_URI', message: expect.stringContaining('required') },
    ]);
  });

  it('refuses an organisation number with a wrong check digit or length', () => {
    expect(problemsOf({ ...REQUIRED, ALTINN_ORG_NUMBER: '97476067' })).toEqual(['ALTINN_ORG_NUMBER']);
    expect(problemsOf({ ...REQUIRED, ALTINN_ORG_NUMBER: '974760672' })).toEqual(['ALTINN_ORG_NUMBER']);
  });

  it('requires https except on loopback, and refuses credentials, fragments and a query on the platform URL', () => {
    expect(problemsOf({ ...REQUIRED, ALTINN_PLATFORM_URL: 'http://platform.tt02.altinn.no' })).toEqual(['ALTINN_PLATFORM_URL']);
    expect(problemsOf({ ...REQUIRED, ALTINN_PLATFORM_URL: 'http://127.0.0.1:4010/sandbox/altinn' })).toEqual([]);
    expect(problemsOf({ ...REQUIRED, ALTINN_PLATFORM_URL: 'http://localhost:4010' })).toEqual([]);
    expect(problemsOf({ ...REQUIRED, ALTINN_PLATFORM_URL: 'https://platform.altinn.no?x=1' })).toEqual(['ALTINN_PLATFORM_URL']);
    expect(problemsOf({ ...REQUIRED, ALTINN_PLATFORM_URL: 'https://user:pw@platform.altinn.no' })).toEqual(['ALTINN_PLATFORM_URL']);
    expect(problemsOf({ ...REQUIRED, ALTINN_REDIRECT_URI: 'https://bank.example/cb#/route' })).toEqual(['ALTINN_REDIRECT_URI']);
    expect(problemsOf({ ...REQUIRED, ALTINN_REDIRECT_URI: 'http://localhost:3000/v1/consent-flows/callback/altinn' })).toEqual([]);
  });

  it('keeps a query already on the redirect URI', () => {
    expect(loadAltinnConfig({ ...REQUIRED, ALTINN_REDIRECT_URI: 'https://bank.example/cb?channel=web' }).config?.redirectUri).toBe('https://bank.example/cb?channel=web');
  });

  it('takes sandbox defaults for what is not set, and set variables over them', () => {
    const sandbox = { platformUrl: 'http://127.0.0.1:3000/sandbox/altinn', orgNumber: '991825827', redirectUri: 'http://localhost:3000/v1/consent-flows/callback/altinn' };
    expect(loadAltinnConfig({}, sandbox).config).toMatchObject({ platformUrl: sandbox.platformUrl, orgNumber: '991825827', redirectUri: sandbox.redirectUri });
    expect(loadAltinnConfig({ ALTINN_ORG_NUMBER: '974760673' }, sandbox).config?.orgNumber).toBe('974760673');
  });

  it('ignores blank variables as if unset', () => {
    expect(loadAltinnConfig({ ...REQUIRED, ALTINN_ENV: '  ', ALTINN_TIMEOUT_MS: '' }).config).toMatchObject({ env: 'tt02', timeoutMs: 5000 });
  });
});

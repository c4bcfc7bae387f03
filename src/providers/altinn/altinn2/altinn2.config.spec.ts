import { altinn2Config, ALTINN2_SANDBOX_API_KEY } from './altinn2.config';

const sandboxCtx = { sandbox: true, altinnEnv: 'tt02' as const, sandboxUrl: 'http://localhost:3000/sandbox/altinn2' };
const prodCtx = { sandbox: false, altinnEnv: 'prod' as const, sandboxUrl: 'http://localhost:3000/sandbox/altinn2' };
const required = { ALTINN2_API_KEY: 'real-secret-key-123', ALTINN2_RESOURCES_TAX_ASSESSMENT: '4628;210607', ALTINN2_RESOURCES_INCOME: '4804;210607' };

describe('altinn2Config', () => {
  it('defaults everything to the simulator in sandbox mode', () => {
    const { settings, problems } = altinn2Config({}, sandboxCtx);
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      url: 'http://localhost:3000/sandbox/altinn2',
      apiKey: ALTINN2_SANDBOX_API_KEY,
      resources: { 'tax-assessment': { code: '4628', edition: '210607' }, income: { code: '4804', edition: '210607' } },
    });
  });

  it('presets the URL from ALTINN_ENV', () => {
    expect(altinn2Config(required, prodCtx).settings?.url).toBe('https://www.altinn.no');
    expect(altinn2Config(required, { ...prodCtx, altinnEnv: 'tt02' }).settings?.url).toBe('https://tt02.altinn.no');
    expect(altinn2Config({ ...required, ALTINN2_URL: 'https://altinn.example/' }, prodCtx).settings?.url).toBe('https://altinn.example');
  });

  it('requires the ApiKey and both services outside sandbox mode', () => {
    const { settings, problems } = altinn2Config({}, prodCtx);
    expect(settings).toBeUndefined();
    expect(problems.map((p) => p.variable).sort()).toEqual(['ALTINN2_API_KEY', 'ALTINN2_RESOURCES_INCOME', 'ALTINN2_RESOURCES_TAX_ASSESSMENT']);
  });

  it('refuses services not written code;edition, and plain-http or query-carrying URLs', () => {
    const { problems } = altinn2Config({ ...required, ALTINN2_RESOURCES_INCOME: '4804_210607', ALTINN2_URL: 'http://altinn.example' }, prodCtx);
    expect(problems.map((p) => p.variable).sort()).toEqual(['ALTINN2_RESOURCES_INCOME', 'ALTINN2_URL']);
    expect(altinn2Config({ ...required, ALTINN2_URL: 'https://altinn.example/?x=1' }, prodCtx).problems[0].variable).toBe('ALTINN2_URL');
  });

  it('never echoes the ApiKey in a problem', () => {
    const { problems } = altinn2Config({ ...required, ALTINN2_API_KEY: 'secret with space' }, prodCtx);
    expect(problems).toHaveLength(1);
    expect(JSON.stringify(problems)).not.toContain('secret');
  });
});

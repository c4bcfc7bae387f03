import { loadSkatteetatenConfig } from './skatteetaten.config';

describe('loadSkatteetatenConfig', () => {
  it('presets both API bases from ALTINN_ENV (tt02 by default)', () => {
    expect(loadSkatteetatenConfig({})).toEqual({
      ok: true,
      config: { taxAssessmentUrl: 'https://summertskattegrunnlag.api.skatteetaten-test.no/v2', incomeUrl: 'https://inntekt.api.skatteetaten-test.no/v1', timeoutMs: 5000 },
    });
    expect(loadSkatteetatenConfig({ ALTINN_ENV: 'prod', ALTINN_TIMEOUT_MS: '3000' })).toEqual({
      ok: true,
      config: { taxAssessmentUrl: 'https://summertskattegrunnlag.api.skatteetaten.no/v2', incomeUrl: 'https://inntekt.api.skatteetaten.no/v1', timeoutMs: 3000 },
    });
  });

  it('takes explicit URLs over sandbox defaults over presets, without a trailing slash', () => {
    const sandbox = { taxAssessmentUrl: 'http://127.0.0.1:1/s/v2', incomeUrl: 'http://127.0.0.1:1/i/v1' };
    const result = loadSkatteetatenConfig({ SKATTEETATEN_INCOME_URL: 'https://proxy.bank.example/inntekt/v1/' }, sandbox);
    expect(result.ok && result.config).toMatchObject({ taxAssessmentUrl: sandbox.taxAssessmentUrl, incomeUrl: 'https://proxy.bank.example/inntekt/v1' });
  });

  it('names every bad variable: plain http off loopback, a query, an unknown environment', () => {
    const result = loadSkatteetatenConfig({ ALTINN_ENV: 'test', SKATTEETATEN_TAX_ASSESSMENT_URL: 'http://skatt.example/v2', SKATTEETATEN_INCOME_URL: 'https://i.example/v1?x=1' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((p) => p.variable).sort()).toEqual(['ALTINN_ENV', 'SKATTEETATEN_INCOME_URL', 'SKATTEETATEN_TAX_ASSESSMENT_URL']);
  });
});

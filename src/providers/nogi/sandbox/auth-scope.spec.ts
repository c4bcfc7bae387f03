import { grantedScopeString, parseAuthScope } from './auth-scope';

describe('parseAuthScope', () => {
  it('takes one debt scope without duration as NoGi’s default consent', () => {
    expect(parseAuthScope('debt.unsecured.presentation')).toEqual({ scope: 'debt.unsecured.presentation', openid: false });
  });

  it('reads a .N duration and clamps it to 365 (presentation) and 28 (processing)', () => {
    expect(parseAuthScope('debt.unsecured.presentation.50')).toMatchObject({ durationDays: 50 });
    expect(parseAuthScope('debt.unsecured.presentation.1000')).toMatchObject({ durationDays: 365 });
    expect(parseAuthScope('debt.unsecured.processing.28')).toMatchObject({ durationDays: 28 });
    expect(parseAuthScope('debt.unsecured.processing.29')).toMatchObject({ durationDays: 28 });
  });

  it('allows openid only as the last scope', () => {
    expect(parseAuthScope('debt.unsecured.processing.10 openid')).toEqual({ scope: 'debt.unsecured.processing', durationDays: 10, openid: true });
    expect(parseAuthScope('openid debt.unsecured.processing')).toBeNull();
  });

  it('refuses zero, two or unknown debt scopes and malformed durations', () => {
    for (const s of [undefined, '', 'openid', 'debt.unsecured.presentation debt.unsecured.processing', 'debt.secured.presentation', 'debt.unsecured.presentation.0', 'debt.unsecured.presentation.-5', 'debt.unsecured.presentation.5.5', 'debt.unsecured.presentation openid openid']) {
      expect(parseAuthScope(s)).toBeNull();
    }
  });

  it('shows the base scope in redirects and token responses', () => {
    expect(grantedScopeString(parseAuthScope('debt.unsecured.presentation.365 openid')!)).toBe('debt.unsecured.presentation openid');
    expect(grantedScopeString(parseAuthScope('debt.unsecured.processing.7')!)).toBe('debt.unsecured.processing');
  });
});

import { buildFlowScope, grantedBaseScopes } from './flow-scope';

describe('buildFlowScope', () => {
  it("asks for NoGi's default one-time consent when no duration is given", () => {
    expect(buildFlowScope('presentation', undefined)).toEqual({
      baseScope: 'debt.unsecured.presentation',
      requested: 'debt.unsecured.presentation openid',
      durationDays: null,
    });
  });

  it('adds the duration as a suffix and puts openid last', () => {
    expect(buildFlowScope('presentation', 90).requested).toBe('debt.unsecured.presentation.90 openid');
  });

  it('clamps processing to 28 days and presentation to 365, as NoGi does', () => {
    expect(buildFlowScope('processing', 40)).toMatchObject({ requested: 'debt.unsecured.processing.28 openid', durationDays: 28 });
    expect(buildFlowScope('presentation', 1000)).toMatchObject({ requested: 'debt.unsecured.presentation.365 openid', durationDays: 365 });
    expect(buildFlowScope('processing', 28).durationDays).toBe(28);
  });
});

describe('grantedBaseScopes', () => {
  it('reduces granted scopes to base scopes', () => {
    expect(grantedBaseScopes('debt.unsecured.processing.28 openid')).toEqual(new Set(['debt.unsecured.processing', 'openid']));
  });
});

export type DebtScope = 'debt.unsecured.presentation' | 'debt.unsecured.processing';

export const DEBT_SCOPES: readonly DebtScope[] = ['debt.unsecured.presentation', 'debt.unsecured.processing'];

/** NoGi's maximum extended durations in days; larger `.N` suffixes are clamped on the auth flow. */
export const MAX_DURATION_DAYS: Record<DebtScope, number> = {
  'debt.unsecured.presentation': 365,
  'debt.unsecured.processing': 28,
};

export interface AuthScope {
  scope: DebtScope;
  /** undefined = NoGi's default consent: 10 minutes, single use. */
  durationDays?: number;
  openid: boolean;
}

export function isDebtScope(value: unknown): value is DebtScope {
  return typeof value === 'string' && (DEBT_SCOPES as readonly string[]).includes(value);
}

/**
 * The /oauth2/auth scope rules: exactly one debt scope, optional `.N` duration suffix, optional
 * `openid` only as the last scope. Returns null for anything else (NoGi redirects `invalid_scopes`).
 */
export function parseAuthScope(raw: string | undefined): AuthScope | null {
  if (!raw) return null;
  const parts = raw.split(' ').filter((p) => p.length > 0);
  let openid = false;
  if (parts.length === 2 && parts[1] === 'openid') {
    openid = true;
    parts.pop();
  }
  if (parts.length !== 1) return null;
  const m = /^(debt\.unsecured\.(?:presentation|processing))(?:\.([0-9]{1,9}))?$/.exec(parts[0]);
  if (!m) return null;
  const scope = m[1] as DebtScope;
  if (m[2] === undefined) return { scope, openid };
  const days = Number(m[2]);
  if (days < 1) return null;
  return { scope, durationDays: Math.min(days, MAX_DURATION_DAYS[scope]), openid };
}

/** The scope string NoGi shows in redirects and token responses: base scope, no `.N`. */
export function grantedScopeString(s: AuthScope): string {
  return s.openid ? `${s.scope} openid` : s.scope;
}

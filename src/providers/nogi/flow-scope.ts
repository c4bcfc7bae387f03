import { type ConsentPurpose, MAX_DURATION_DAYS } from '../../database/entities/consent.entity';

export interface FlowScope {
  /** NoGi's base scope, as its redirect reports it. */
  baseScope: string;
  /** What we ask NoGi for: the base scope with the clamped `.N` suffix, then ` openid` last. */
  requested: string;
  /** The clamped duration, or null for NoGi's default one-time consent (one collection within 10 minutes). */
  durationDays: number | null;
}

export function buildFlowScope(purpose: ConsentPurpose, durationDays: number | undefined): FlowScope {
  const baseScope = `debt.unsecured.${purpose}`;
  const clamped = durationDays === undefined ? null : Math.min(durationDays, MAX_DURATION_DAYS[purpose]);
  return { baseScope, requested: `${clamped === null ? baseScope : `${baseScope}.${clamped}`} openid`, durationDays: clamped };
}

/** NoGi's redirect shows base scopes only (no `.N`); the flow is good when our base scope was granted. */
export function grantedBaseScopes(granted: string): Set<string> {
  return new Set(granted.split(/\s+/).filter(Boolean).map((s) => s.replace(/\.\d+$/, '')));
}

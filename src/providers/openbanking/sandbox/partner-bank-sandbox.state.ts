import { randomBytes, X509Certificate } from 'node:crypto';
import type { ActiveFault } from '../../../sandbox/fault-injector';
import { SimulatorState } from '../../../sandbox/simulator-state';
import { parseCertificates } from '../qseal-material';
import { FallbackRefusal, verifyFallbackHeaders } from './fallback-verifier';
import { SANDBOX_ACCOUNTS, SandboxAccount } from './partner-bank-persons';

export const PARTNER_BANK_ENDPOINTS = ['token', 'accounts', 'balances', 'transactions'] as const;
export type PartnerBankEndpoint = (typeof PARTNER_BANK_ENDPOINTS)[number] | 'control';

export interface PartnerBankSandboxOptions {
  clientId: string;
  clientSecret: string;
  /** The `audience` a token request must name. */
  audience: string;
  /** The `aud` a fallback JWT must carry (default `spv fallback prod`). */
  fallbackAudience?: string;
  /** PEM of the CA certificates fallback chains must lead to. */
  trustedCaPem?: string;
  tokenLifetimeSeconds?: number;
}

/** One call as the simulator saw it: never a secret, a token, a key or a PSU-ID value. */
export interface PartnerBankCall {
  time: string;
  endpoint: PartnerBankEndpoint;
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: {
    authorization: 'none' | 'Basic' | 'Bearer' | 'other';
    contentType?: string;
    accept?: string;
    psuId: 'present' | 'absent';
    xRequestId?: string;
    fallbackCert: 'present' | 'absent';
    fallbackJwt: 'present' | 'absent';
  };
  /** Token requests: the body's non-secret fields. */
  body?: { client_id?: unknown; audience?: unknown; grant_type?: unknown; client_secret?: 'present' | 'absent' };
  refusal?: string;
  fault?: ActiveFault;
  status?: number;
}

const MAX_CALLS = 1000;
const DAY_MS = 86_400_000;

/**
 * The partner bank's state: issued tokens, jtis seen on fallback JWTs, the call log, faults and a
 * clock that tests may move forward. Accounts are fixed per synthetic person; transactions are
 * dated relative to the clock.
 */
export class PartnerBankSandbox extends SimulatorState<PartnerBankCall> {
  readonly fallbackAudience: string;
  private readonly trusted: X509Certificate[];
  private readonly tokens = new Map<string, number>();
  private readonly seenJti = new Map<string, { jwt: string; exp: number }>();

  constructor(readonly options: PartnerBankSandboxOptions) {
    super({ faultEndpoints: PARTNER_BANK_ENDPOINTS, callLimit: MAX_CALLS, emptyEndpointMeansAll: true });
    this.fallbackAudience = options.fallbackAudience ?? 'spv fallback prod';
    this.trusted = options.trustedCaPem ? parseCertificates(options.trustedCaPem) : [];
  }

  issueToken(): { access_token: string; token_type: 'Bearer'; expires_in: number; scope: string } {
    const lifetime = this.options.tokenLifetimeSeconds ?? 3600;
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, this.now() + lifetime * 1000);
    return { access_token: token, token_type: 'Bearer', expires_in: lifetime, scope: 'accounts:read' };
  }

  tokenValid(token: string): boolean {
    const until = this.tokens.get(token);
    return until !== undefined && until > this.now();
  }

  /** Forgets every issued token (the bank rotated its keys): the next call with one answers 401. */
  revokeTokens(): number {
    const n = this.tokens.size;
    this.tokens.clear();
    return n;
  }

  async checkFallback(certHeader: string | undefined, jwt: string | undefined): Promise<{ tppName: string } | { refused: FallbackRefusal }> {
    return verifyFallbackHeaders(certHeader, jwt, { trusted: this.trusted, audience: this.fallbackAudience, nowMs: this.now(), seenJti: this.seenJti });
  }

  accountsOf(nationalId: string): readonly SandboxAccount[] {
    return SANDBOX_ACCOUNTS[nationalId] ?? [];
  }

  accountOf(nationalId: string, resourceId: string): SandboxAccount | undefined {
    return this.accountsOf(nationalId).find((a) => a.resourceId === resourceId);
  }

  /** Booked (by bookingDate) and pending (by valueDate) transactions from `from` to `to` inclusive. */
  transactionsOf(account: SandboxAccount, from?: string, to?: string): { booked: object[]; pending: object[] } {
    const today = new Date(this.now()).toISOString().slice(0, 10);
    const inRange = (date: string) => (!from || date >= from) && (!to || date <= to);
    const day = (daysAgo: number) => new Date(Date.parse(today) - daysAgo * DAY_MS).toISOString().slice(0, 10);
    const booked = account.booked
      .map(([daysAgo, amount, party, text], i) => ({
        transactionId: `${account.resourceId}-b${i + 1}`,
        bookingDate: day(daysAgo),
        valueDate: day(daysAgo),
        transactionAmount: { amount, currency: account.currency },
        ...(amount.startsWith('-') ? { creditorName: party } : { debtorName: party }),
        remittanceInformationUnstructured: text,
      }))
      .filter((t) => inRange(t.bookingDate));
    const pending = account.pending
      .map(([amount, creditor, text], i) => ({
        transactionId: `${account.resourceId}-p${i + 1}`,
        valueDate: today,
        transactionAmount: { amount, currency: account.currency },
        creditorName: creditor,
        remittanceInformationUnstructured: text,
      }))
      .filter((t) => inRange(t.valueDate));
    return { booked, pending };
  }

  reset(): void {
    this.tokens.clear();
    this.seenJti.clear();
    this.resetRecords();
  }
}

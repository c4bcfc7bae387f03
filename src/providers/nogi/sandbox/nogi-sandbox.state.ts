import { createHash, createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { type AuthScope, type DebtScope, isDebtScope, MAX_DURATION_DAYS } from './auth-scope';
import { type ActiveFault, FaultInjector, type FaultSpec } from './fault-injector';
import { isValidNationalId } from '../../../common/national-id';
import { debtFor, type DebtSnapshot } from './synthetic-persons';

export interface NogiSandboxClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface NogiSandboxOptions {
  /** External base URL where the plugin is reachable; issuer and API base are the same in the sandbox. */
  baseUrl: string;
  clients: NogiSandboxClient[];
  /** Default true. NoGi's FAQ says the token endpoint may not issue ID tokens, so tests can switch it off. */
  issueIdToken?: boolean;
  /** Millisecond clock, for expiry tests. */
  now?: () => number;
}

export const ACCESS_TOKEN_TTL_S = 3599;
export const DEFAULT_CONSENT_TTL_MS = 10 * 60_000;
export const FEED_WINDOW_MS = 7 * 24 * 3_600_000;
const CODE_TTL_MS = 10 * 60_000;
const PENDING_AUTH_TTL_MS = 30 * 60_000;
const DAY_MS = 24 * 3_600_000;

export type ConsentOrigin = 'flow' | 'agreement' | 'control';

export interface SandboxConsent {
  id: string;
  clientId: string;
  nationalId: string;
  scope: DebtScope;
  origin: ConsentOrigin;
  createdAt: number;
  expiresAt: number;
  /** NoGi's default consent (no `.N`): one debt fetch within 10 minutes. */
  singleUse: boolean;
  used: boolean;
  durationDays?: number;
  externalConsentId?: string;
  /** Set when the bank revoked (DELETE) or the person archived it at norskgjeld.no. */
  revokedAt?: number;
  revokedBy?: 'client' | 'person';
  archivedEventEmitted: boolean;
}

export interface ConsentView {
  id: string;
  clientId: string;
  nationalId: string;
  scope: DebtScope;
  origin: ConsentOrigin;
  createdAt: string;
  expiresAt: string;
  singleUse: boolean;
  used: boolean;
  durationDays?: number;
  externalConsentId?: string;
  revokedAt?: string;
  revokedBy?: 'client' | 'person';
  active: boolean;
}

export interface CreateConsentInput {
  clientId: string;
  nationalId: string;
  scope: DebtScope;
  /** Omitted = NoGi's default single-use 10-minute consent. */
  durationDays?: number;
  externalConsentId?: string;
}

export type FeedEventType = 'SAMTYKKE_OPPRETTET' | 'SAMTYKKE_ARKIVERT';

export interface FeedEvent {
  sequenceNr: number;
  eventId: string;
  consentId: string;
  clientId: string;
  /** A FeedEventType, or a type NoGi's contract does not name (a test's `emitEventOfType`). */
  eventType: string;
  timestampMs: number;
  /** ISO-8601 with nanoseconds, as NoGi's feed writes it. */
  timestamp: string;
  scope: DebtScope;
  externalConsentId?: string;
}

export interface AccessToken {
  token: string;
  clientId: string;
  grant: 'authorization_code' | 'client_credentials';
  audience?: string;
  scopes: string[];
  consentId?: string;
  nationalId?: string;
  expiresAt: number;
  revoked: boolean;
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  redirectUri: string;
  consentId: string;
  scope: AuthScope;
  nonce?: string;
  codeChallenge?: string;
  expiresAt: number;
  used: boolean;
  issuedTokens: string[];
}

export interface PendingAuthorization {
  id: string;
  clientId: string;
  redirectUri: string;
  state: string;
  scope: AuthScope;
  nonce?: string;
  codeChallenge?: string;
  expiresAt: number;
}

export type IdTokenFault = 'wrong_nonce' | 'wrong_audience' | 'alg_none' | 'unknown_key' | 'other_pid';

export interface CallLogEntry {
  time: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  endpoint: string;
  headers: {
    authorization: 'Basic' | 'Bearer' | 'other' | 'none';
    /** Client id decoded from a Basic header; never the secret. */
    basicClientId?: string;
    contentType?: string;
    accept?: string;
    userAgent?: string;
    traceId?: string;
  };
  body?: unknown;
  status?: number;
  fault?: ActiveFault;
}

function randomToken(): string {
  // Opaque `xxx.yyy` like Hydra's tokens and codes.
  return `${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(value);
}

/** Name-based UUID (v5 layout) so a non-UUID client id still fits the feed's `format: uuid`. */
function nameUuid(name: string): string {
  const h = createHash('sha1').update(`nogi-sandbox-client:${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** ISO-8601 with nanosecond precision (NoGi's feed format since 2024-05-22). */
export function isoNanos(ms: number): string {
  const sub = String(randomInt(0, 1_000_000)).padStart(6, '0');
  return new Date(ms).toISOString().replace(/Z$/, `${sub}Z`);
}

/** ISO-8601 with microseconds, as NoGi's Debt API writes error timestamps. */
export function isoMicros(ms: number): string {
  const sub = String(randomInt(0, 1000)).padStart(3, '0');
  return new Date(ms).toISOString().replace(/Z$/, `${sub}Z`);
}

export class NogiSandbox {
  /** Mutable only so the standalone starter can set it once the port is known. */
  baseUrl: string;
  readonly issueIdToken: boolean;
  readonly faults = new FaultInjector();

  private readonly clients: Map<string, NogiSandboxClient>;
  private readonly externalClock: () => number;
  private clockOffsetMs = 0;
  private readonly pairwiseSalt = randomBytes(32);
  private keys?: Promise<{ privateKey: CryptoKey; jwk: JWK }>;

  private consents = new Map<string, SandboxConsent>();
  private agreementsByKey = new Map<string, { fingerprint: string; consentId: string }>();
  private tokens = new Map<string, AccessToken>();
  private codes = new Map<string, AuthorizationCode>();
  private pending = new Map<string, PendingAuthorization>();
  private events: FeedEvent[] = [];
  // Never 1, so an empty page's endSequenceNr (fromSequenceNr − 1, floored at 1) never hides an event.
  private lastSequenceNr = randomInt(1, 100);
  private lastSeqByClient = new Map<string, number>();
  private callLog: CallLogEntry[] = [];

  constructor(opts: NogiSandboxOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.issueIdToken = opts.issueIdToken ?? true;
    this.externalClock = opts.now ?? Date.now;
    this.clients = new Map(opts.clients.map((c) => [c.clientId, { ...c, redirectUris: [...c.redirectUris] }]));
    this.keys = this.generateKeys();
    // Avoid an unhandled rejection before anyone awaits ready().
    this.keys.catch(() => undefined);
  }

  private async generateKeys(): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    return { privateKey, jwk: { ...jwk, kid: `sandbox-${randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' } };
  }

  async ready(): Promise<void> {
    await this.keys;
  }

  // ---- clock ----

  now(): number {
    return this.externalClock() + this.clockOffsetMs;
  }

  advanceClock(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('ms must be a non-negative number');
    this.clockOffsetMs += ms;
    this.sweep();
    return this.now();
  }

  // ---- URLs ----

  /** NoGi's issuer ends with a slash (`https://access.norskgjeld.no/`); the sandbox mirrors that. */
  get issuer(): string {
    return `${this.baseUrl}/`;
  }

  get audiences(): { debt: string; agreement: string; feed: string } {
    return {
      debt: `${this.baseUrl}/v1/debt`,
      agreement: `${this.baseUrl}/v1/consent/agreement`,
      feed: `${this.baseUrl}/feed/v1/consent`,
    };
  }

  // ---- clients ----

  client(clientId: string | undefined): NogiSandboxClient | undefined {
    return clientId === undefined ? undefined : this.clients.get(clientId);
  }

  /** The `clientId` NoGi puts in feed events is a UUID; non-UUID sandbox ids map to a stable one. */
  feedClientId(clientId: string): string {
    return isUuid(clientId) ? clientId.toLowerCase() : nameUuid(clientId);
  }

  /** Pairwise `sub`: stable per (client, person), never the national id. */
  pairwiseSubject(clientId: string, nationalId: string): string {
    const h = createHmac('sha256', this.pairwiseSalt).update(`${clientId}\n${nationalId}`).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  }

  // ---- keys and ID tokens ----

  async jwks(): Promise<{ keys: JWK[] }> {
    const { jwk } = await this.keys!;
    return { keys: [jwk] };
  }

  /**
   * Test fault: the next ID tokens are forged in one way, so a client's ID-token checks can be
   * proven (wrong nonce or audience, `alg: none`, a key not in the JWKS, another person's pid).
   */
  idTokenFault: IdTokenFault | undefined;

  async signIdToken(claims: { clientId: string; nonce?: string; consentId: string; nationalId: string; accessToken: string }): Promise<string> {
    const { privateKey, jwk } = await this.keys!;
    const fault = this.idTokenFault;
    const iat = Math.floor(this.now() / 1000);
    const atHash = createHash('sha256').update(claims.accessToken).digest().subarray(0, 16).toString('base64url');
    const payload: Record<string, unknown> = {
      pid: fault === 'other_pid' ? (claims.nationalId === '29868099311' ? '14842249091' : '29868099311') : claims.nationalId,
      consent_id: claims.consentId,
      at_hash: atHash,
      auth_time: iat,
      rat: iat,
      sid: randomUUID(),
    };
    if (claims.nonce !== undefined) payload.nonce = fault === 'wrong_nonce' ? `${claims.nonce}-forged` : claims.nonce;
    const audience = fault === 'wrong_audience' ? ['another-client'] : [claims.clientId];
    if (fault === 'alg_none') {
      const body = { ...payload, iss: this.issuer, aud: audience, sub: this.pairwiseSubject(claims.clientId, claims.nationalId), iat, exp: iat + ACCESS_TOKEN_TTL_S };
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${part({ alg: 'none', typ: 'JWT' })}.${part(body)}.`;
    }
    const signingKey = fault === 'unknown_key' ? (await generateKeyPair('RS256')).privateKey : privateKey;
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: fault === 'unknown_key' ? 'not-in-jwks' : jwk.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      // Hydra writes `aud` as an array holding the client id.
      .setAudience(audience)
      .setSubject(this.pairwiseSubject(claims.clientId, claims.nationalId))
      .setIssuedAt(iat)
      .setExpirationTime(iat + ACCESS_TOKEN_TTL_S)
      .setJti(randomUUID())
      .sign(signingKey);
  }

  // ---- pending authorizations and codes ----

  createPending(p: Omit<PendingAuthorization, 'id' | 'expiresAt'>): PendingAuthorization {
    const pending: PendingAuthorization = { ...p, id: randomBytes(32).toString('base64url'), expiresAt: this.now() + PENDING_AUTH_TTL_MS };
    this.pending.set(pending.id, pending);
    return pending;
  }

  getPending(id: unknown): PendingAuthorization | undefined {
    if (typeof id !== 'string') return undefined;
    const p = this.pending.get(id);
    if (!p || p.expiresAt <= this.now()) return undefined;
    return p;
  }

  /** Single use: the pending authorization is gone once decided. */
  takePending(id: string): PendingAuthorization | undefined {
    const p = this.getPending(id);
    this.pending.delete(id);
    return p;
  }

  issueCode(pending: PendingAuthorization, consentId: string): AuthorizationCode {
    const code: AuthorizationCode = {
      code: randomToken(),
      clientId: pending.clientId,
      redirectUri: pending.redirectUri,
      consentId,
      scope: pending.scope,
      nonce: pending.nonce,
      codeChallenge: pending.codeChallenge,
      expiresAt: this.now() + CODE_TTL_MS,
      used: false,
      issuedTokens: [],
    };
    this.codes.set(code.code, code);
    return code;
  }

  getCode(code: unknown): AuthorizationCode | undefined {
    return typeof code === 'string' ? this.codes.get(code) : undefined;
  }

  /** Hydra's answer to a replayed code: revoke everything issued from it. */
  revokeTokensOfCode(code: AuthorizationCode): void {
    for (const t of code.issuedTokens) {
      const token = this.tokens.get(t);
      if (token) token.revoked = true;
    }
  }

  // ---- access tokens ----

  issueToken(t: Omit<AccessToken, 'token' | 'expiresAt' | 'revoked'>): AccessToken {
    const token: AccessToken = { ...t, token: randomToken(), expiresAt: this.now() + ACCESS_TOKEN_TTL_S * 1000, revoked: false };
    this.tokens.set(token.token, token);
    return token;
  }

  /** A live token, or undefined when unknown, expired or revoked. */
  tokenFromHeader(authorization: string | undefined): AccessToken | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return undefined;
    const t = this.tokens.get(m[1]);
    if (!t || t.revoked || t.expiresAt <= this.now()) return undefined;
    return t;
  }

  tokenState(authorization: string | undefined): 'missing' | 'unknown' | 'expired' | 'revoked' | 'valid' {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return 'missing';
    const t = this.tokens.get(m[1]);
    if (!t) return 'unknown';
    if (t.revoked) return 'revoked';
    if (t.expiresAt <= this.now()) return 'expired';
    return 'valid';
  }

  revokeAccessToken(token: string, clientId: string): void {
    const t = this.tokens.get(token);
    if (t && t.clientId === clientId) t.revoked = true;
  }

  // ---- consents ----

  createConsent(input: CreateConsentInput, origin: ConsentOrigin = 'control'): ConsentView {
    return this.view(this.addConsent(input, origin));
  }

  addConsent(input: CreateConsentInput, origin: ConsentOrigin): SandboxConsent {
    if (!this.clients.has(input.clientId)) throw new RangeError('unknown clientId');
    if (!isValidNationalId(input.nationalId)) throw new RangeError('invalid nationalId');
    if (!isDebtScope(input.scope)) throw new RangeError('invalid scope');
    if (input.durationDays !== undefined && !(Number.isInteger(input.durationDays) && input.durationDays >= 1 && input.durationDays <= MAX_DURATION_DAYS[input.scope])) {
      throw new RangeError(`durationDays must be 1-${MAX_DURATION_DAYS[input.scope]}`);
    }
    this.sweep();
    const now = this.now();
    const consent: SandboxConsent = {
      id: randomUUID(),
      clientId: input.clientId,
      nationalId: input.nationalId,
      scope: input.scope,
      origin,
      createdAt: now,
      expiresAt: input.durationDays === undefined ? now + DEFAULT_CONSENT_TTL_MS : now + input.durationDays * DAY_MS,
      singleUse: input.durationDays === undefined,
      used: false,
      durationDays: input.durationDays,
      externalConsentId: input.externalConsentId,
      archivedEventEmitted: false,
    };
    this.consents.set(consent.id, consent);
    this.emit(consent, 'SAMTYKKE_OPPRETTET', now);
    return consent;
  }

  consent(id: string): SandboxConsent | undefined {
    return this.consents.get(id);
  }

  isActive(c: SandboxConsent): boolean {
    return c.revokedAt === undefined && c.expiresAt > this.now() && !(c.singleUse && c.used);
  }

  listConsents(clientId?: string): ConsentView[] {
    this.sweep();
    return [...this.consents.values()].filter((c) => clientId === undefined || c.clientId === clientId).map((c) => this.view(c));
  }

  view(c: SandboxConsent): ConsentView {
    return {
      id: c.id,
      clientId: c.clientId,
      nationalId: c.nationalId,
      scope: c.scope,
      origin: c.origin,
      createdAt: new Date(c.createdAt).toISOString(),
      expiresAt: new Date(c.expiresAt).toISOString(),
      singleUse: c.singleUse,
      used: c.used,
      ...(c.durationDays !== undefined ? { durationDays: c.durationDays } : {}),
      ...(c.externalConsentId !== undefined ? { externalConsentId: c.externalConsentId } : {}),
      ...(c.revokedAt !== undefined ? { revokedAt: new Date(c.revokedAt).toISOString(), revokedBy: c.revokedBy } : {}),
      active: this.isActive(c),
    };
  }

  /** The bank's DELETE /v1/debt/{id}. */
  revokeByClient(c: SandboxConsent): void {
    this.archive(c, 'client');
  }

  /** As if the person revoked the consent at norskgjeld.no (shows there as "archived"). */
  archiveConsent(consentId: string): ConsentView {
    const c = this.consents.get(consentId);
    if (!c) throw new RangeError('unknown consent');
    if (this.isActive(c)) this.archive(c, 'person');
    return this.view(c);
  }

  /** Makes the consent expire now; the feed then gets its SAMTYKKE_ARKIVERT (see sweep). */
  expireConsent(consentId: string): ConsentView {
    const c = this.consents.get(consentId);
    if (!c) throw new RangeError('unknown consent');
    if (c.expiresAt > this.now()) c.expiresAt = this.now();
    this.sweep();
    return this.view(c);
  }

  markUsed(c: SandboxConsent): void {
    c.used = true;
  }

  private archive(c: SandboxConsent, by: 'client' | 'person'): void {
    const now = this.now();
    c.revokedAt = now;
    c.revokedBy = by;
    if (!c.archivedEventEmitted) this.emit(c, 'SAMTYKKE_ARKIVERT', now);
  }

  // ---- agreement API ----

  /**
   * Test fault: NoGi answers 409 to a repeated PUT even with the same data (its documentation does
   * not promise that an identical PUT returns the same consent), so a client's retry is proven not
   * to rely on it.
   */
  refuseRepeatedAgreements = false;

  /** Idempotent on (client, client_consent_id): same data → same consent, different data → conflict. */
  registerAgreement(clientId: string, req: { nin: string; scope: DebtScope; days: number; clientConsentId: string }): { consent: SandboxConsent } | { conflict: true } {
    const key = `${clientId}\n${req.clientConsentId}`;
    const fingerprint = `${req.nin}|${req.scope}|${req.days}`;
    const existing = this.agreementsByKey.get(key);
    if (existing) {
      if (existing.fingerprint !== fingerprint || this.refuseRepeatedAgreements) return { conflict: true };
      return { consent: this.consents.get(existing.consentId)! };
    }
    const consent = this.addConsent({ clientId, nationalId: req.nin, scope: req.scope, durationDays: req.days, externalConsentId: req.clientConsentId }, 'agreement');
    this.agreementsByKey.set(key, { fingerprint, consentId: consent.id });
    return { consent };
  }

  // ---- debt ----

  /**
   * Test fault: entries added to every debt answer's `loans`, as NoGi might send them (a loan type
   * its contract does not name yet), so a client's handling of an answer it cannot map is proven.
   */
  extraLoans: unknown[] | undefined;

  debtFor(c: SandboxConsent): DebtSnapshot {
    const debt = debtFor(c.nationalId, this.now());
    return this.extraLoans ? { ...debt, loans: [...debt.loans, ...(this.extraLoans as DebtSnapshot['loans'])] } : debt;
  }

  // ---- feed ----

  /** Test fault: an event of a type NoGi's contract does not name (yet), e.g. SAMTYKKE_ENDRET, for this consent. */
  emitEventOfType(consentId: string, eventType: string): void {
    const c = this.consents.get(consentId);
    if (!c) throw new RangeError('unknown consent');
    this.emit(c, eventType, this.now());
  }

  /**
   * Test fault: the feed's answer to a fromSequenceNr before firstSequenceNr (undocumented upstream).
   * Unset: the events from the first kept one on; `reject`: 400; `empty`: an empty page.
   */
  feedBeforeFirst: 'reject' | 'empty' | undefined;

  private emit(c: SandboxConsent, type: FeedEventType | string, at: number): void {
    // Non-contiguous: random gaps, as if other clients' events were interleaved.
    this.lastSequenceNr += randomInt(1, 5);
    let timestampMs = at;
    const prev = this.events[this.events.length - 1];
    // Not time-ordered: now and then an event carries a timestamp slightly before its predecessor.
    if (prev && type === 'SAMTYKKE_OPPRETTET' && randomInt(0, 5) === 0) timestampMs = Math.min(at, prev.timestampMs - randomInt(1, 1500));
    this.events.push({
      sequenceNr: this.lastSequenceNr,
      eventId: randomUUID(),
      consentId: c.id,
      clientId: c.clientId,
      eventType: type,
      timestampMs,
      timestamp: isoNanos(timestampMs),
      scope: c.scope,
      externalConsentId: c.externalConsentId,
    });
    this.lastSeqByClient.set(c.clientId, this.lastSequenceNr);
    if (type === 'SAMTYKKE_ARKIVERT') c.archivedEventEmitted = true;
  }

  /**
   * Emits the archived events of consents whose expiry time has passed (sandbox choice: expiry
   * archives, with the event stamped at the expiry instant) and drops events outside the 7-day window.
   */
  sweep(): void {
    const now = this.now();
    const expired = [...this.consents.values()].filter((c) => !c.archivedEventEmitted && c.revokedAt === undefined && c.expiresAt <= now).sort((a, b) => a.expiresAt - b.expiresAt);
    for (const c of expired) this.emit(c, 'SAMTYKKE_ARKIVERT', c.expiresAt);
    this.pruneFeed();
    for (const [id, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(id);
  }

  /** Drops events older than `windowMs` (default NoGi's 7 days) on the sandbox clock. */
  pruneFeed(windowMs: number = FEED_WINDOW_MS): number {
    const cutoff = this.now() - windowMs;
    const before = this.events.length;
    this.events = this.events.filter((e) => e.timestampMs >= cutoff);
    return before - this.events.length;
  }

  feedEvents(clientId: string): FeedEvent[] {
    return this.events.filter((e) => e.clientId === clientId);
  }

  /** Highest sequence number ever given to this client's events, 0 before the first. */
  lastSequenceNrFor(clientId: string): number {
    return this.lastSeqByClient.get(clientId) ?? 0;
  }

  /** Oldest sequence number still in the window; lastSequenceNr + 1 when the window is empty. */
  firstSequenceNrFor(clientId: string): number {
    const ev = this.feedEvents(clientId);
    return ev.length > 0 ? Math.min(...ev.map((e) => e.sequenceNr)) : this.lastSequenceNrFor(clientId) + 1;
  }

  // ---- faults and call log ----

  injectFault(spec: FaultSpec): ActiveFault {
    return this.faults.add(spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  listFaults(): ActiveFault[] {
    return this.faults.list();
  }

  logCall(entry: CallLogEntry): void {
    this.callLog.push(entry);
    if (this.callLog.length > 10_000) this.callLog.shift();
  }

  getCalls(endpoint?: string): CallLogEntry[] {
    return this.callLog.filter((c) => endpoint === undefined || c.endpoint === endpoint).map((c) => structuredClone(c));
  }

  clearCalls(): void {
    this.callLog = [];
  }

  /** Forget consents, tokens, codes, feed, calls and faults; keys, clients and clock stay. */
  reset(): void {
    this.consents.clear();
    this.agreementsByKey.clear();
    this.tokens.clear();
    this.codes.clear();
    this.pending.clear();
    this.events = [];
    this.lastSeqByClient.clear();
    this.callLog = [];
    this.idTokenFault = undefined;
    this.extraLoans = undefined;
    this.feedBeforeFirst = undefined;
    this.refuseRepeatedAgreements = false;
    this.faults.clear();
  }
}

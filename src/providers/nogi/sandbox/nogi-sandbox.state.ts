import { createHmac, randomBytes } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { DebtScope } from './auth-scope';
import { AuthorizationGrants } from './authorization-grants';
import { ConsentFeed, FEED_WINDOW_MS } from './consent-feed';
import { checkConsentInput, consentView, newConsent } from './sandbox-consent';
import type { ActiveFault } from '../../../sandbox/fault-injector';
import { SimulatorState } from '../../../sandbox/simulator-state';
import { type IdTokenClaims, signIdToken } from './id-token';
import type {
  AccessToken,
  AuthorizationCode,
  CallLogEntry,
  ConsentOrigin,
  ConsentView,
  CreateConsentInput,
  FeedEvent,
  FeedEventType,
  IdTokenFault,
  NogiSandboxClient,
  NogiSandboxOptions,
  PendingAuthorization,
  SandboxConsent,
} from './nogi-sandbox.types';
import { isUuid, nameUuid } from './sandbox-format';
import { debtFor, type DebtSnapshot } from './synthetic-persons';

/** The endpoints a fault may name; `*` covers NoGi's API calls, not discovery and the key set. */
export const FAULT_ENDPOINTS = ['token', 'auth', 'discovery', 'jwks', 'debt', 'debtById', 'revoke', 'status', 'agreement', 'feed'] as const;
const FAULT_WILDCARD: readonly string[] = FAULT_ENDPOINTS.filter((e) => e !== 'discovery' && e !== 'jwks');

// The simulator's types, constants and formats stay importable from here.
export type * from './nogi-sandbox.types';
export { ACCESS_TOKEN_TTL_S } from './authorization-grants';
export { FEED_WINDOW_MS } from './consent-feed';
export { isoMicros, isoNanos } from './sandbox-format';

export { DEFAULT_CONSENT_TTL_MS } from './sandbox-consent';

/**
 * The simulator's state behind one facade the routes and tests use: clients, clock, keys and
 * consents here; the authorization server's grants and the feed's events in their own classes.
 */
export class NogiSandbox extends SimulatorState<CallLogEntry> {
  /** Mutable only so the standalone starter can set it once the port is known. */
  baseUrl: string;
  readonly issueIdToken: boolean;

  private readonly clients: Map<string, NogiSandboxClient>;
  private readonly pairwiseSalt = randomBytes(32);
  private keys?: Promise<{ privateKey: CryptoKey; jwk: JWK }>;

  private consents = new Map<string, SandboxConsent>();
  private agreementsByKey = new Map<string, { fingerprint: string; consentId: string }>();
  private readonly grants = new AuthorizationGrants(() => this.now());
  private readonly feed = new ConsentFeed();

  constructor(opts: NogiSandboxOptions) {
    super({ faultEndpoints: FAULT_ENDPOINTS, faultWildcard: FAULT_WILDCARD, callLimit: 10_000, now: opts.now });
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.issueIdToken = opts.issueIdToken ?? true;
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

  /** Also expires what the new time has passed (the feed's SAMTYKKE_ARKIVERT). */
  override advanceClock(ms: number): number {
    super.advanceClock(ms);
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


  async signIdToken(claims: IdTokenClaims): Promise<string> {
    const { privateKey, jwk } = await this.keys!;
    const subject = this.pairwiseSubject(claims.clientId, claims.nationalId);
    return signIdToken({ privateKey, jwk, issuer: this.issuer, subject, nowMs: this.now(), fault: this.idTokenFault }, claims);
  }

  // ---- pending authorizations, codes and access tokens (see AuthorizationGrants) ----

  createPending(p: Omit<PendingAuthorization, 'id' | 'expiresAt'>): PendingAuthorization {
    return this.grants.createPending(p);
  }

  getPending(id: unknown): PendingAuthorization | undefined {
    return this.grants.getPending(id);
  }

  takePending(id: string): PendingAuthorization | undefined {
    return this.grants.takePending(id);
  }

  issueCode(pending: PendingAuthorization, consentId: string): AuthorizationCode {
    return this.grants.issueCode(pending, consentId);
  }

  getCode(code: unknown): AuthorizationCode | undefined {
    return this.grants.getCode(code);
  }

  revokeTokensOfCode(code: AuthorizationCode): void {
    this.grants.revokeTokensOfCode(code);
  }

  issueToken(t: Omit<AccessToken, 'token' | 'expiresAt' | 'revoked'>): AccessToken {
    return this.grants.issueToken(t);
  }

  tokenFromHeader(authorization: string | undefined): AccessToken | undefined {
    return this.grants.tokenFromHeader(authorization);
  }

  tokenState(authorization: string | undefined): 'missing' | 'unknown' | 'expired' | 'revoked' | 'valid' {
    return this.grants.tokenState(authorization);
  }

  revokeAccessToken(token: string, clientId: string): void {
    this.grants.revokeAccessToken(token, clientId);
  }

  // ---- consents ----

  createConsent(input: CreateConsentInput, origin: ConsentOrigin = 'control'): ConsentView {
    return this.view(this.addConsent(input, origin));
  }

  addConsent(input: CreateConsentInput, origin: ConsentOrigin): SandboxConsent {
    if (!this.clients.has(input.clientId)) throw new RangeError('unknown clientId');
    checkConsentInput(input);
    this.sweep();
    const now = this.now();
    const consent = newConsent(input, origin, now);
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
    return consentView(c, this.isActive(c));
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
    this.feed.emit(c, type, at);
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
    this.grants.sweep();
  }

  /** Drops events older than `windowMs` (default NoGi's 7 days) on the sandbox clock. */
  pruneFeed(windowMs: number = FEED_WINDOW_MS): number {
    return this.feed.prune(this.now() - windowMs);
  }

  feedEvents(clientId: string): FeedEvent[] {
    return this.feed.eventsOf(clientId);
  }

  lastSequenceNrFor(clientId: string): number {
    return this.feed.lastSequenceNrFor(clientId);
  }

  firstSequenceNrFor(clientId: string): number {
    return this.feed.firstSequenceNrFor(clientId);
  }

  // ---- faults (the call log is SimulatorState's) ----

  clearFaults(): void {
    this.faults.clear();
  }

  listFaults(): ActiveFault[] {
    return this.faults.list();
  }

  /** Forget consents, tokens, codes, feed, calls and faults; keys, clients and clock stay. */
  reset(): void {
    this.consents.clear();
    this.agreementsByKey.clear();
    this.grants.clear();
    this.feed.clear();
    this.idTokenFault = undefined;
    this.extraLoans = undefined;
    this.feedBeforeFirst = undefined;
    this.refuseRepeatedAgreements = false;
    this.resetRecords({ keepClock: true });
  }
}

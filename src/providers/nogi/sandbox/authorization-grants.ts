import { randomBytes } from 'node:crypto';
import type { AccessToken, AuthorizationCode, PendingAuthorization } from './nogi-sandbox.types';
import { randomToken } from './sandbox-format';

export const ACCESS_TOKEN_TTL_S = 3599;
const CODE_TTL_MS = 10 * 60_000;
const PENDING_AUTH_TTL_MS = 30 * 60_000;

/** The authorization server's short-lived state: pending consent requests, authorization codes, access tokens. */
export class AuthorizationGrants {
  private tokens = new Map<string, AccessToken>();
  private codes = new Map<string, AuthorizationCode>();
  private pending = new Map<string, PendingAuthorization>();

  constructor(private readonly now: () => number) {}

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

  sweep(): void {
    const now = this.now();
    for (const [id, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(id);
  }

  clear(): void {
    this.tokens.clear();
    this.codes.clear();
    this.pending.clear();
  }
}

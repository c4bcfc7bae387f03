import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { exportJWK, generateKeyPair, importJWK, JWK, SignJWT } from 'jose';

type SigningKey = Parameters<SignJWT['sign']>[0];

export interface SandboxTokenRequest {
  scopes: string[];
  nationalId?: string;
  subject?: string;
  clientId?: string;
  expiresInSeconds?: number;
}

/**
 * The local stand-in for the bank's identity provider in sandbox mode: an RS256 key kept in a
 * file (so `npm run token` and the running service agree), a JWKS and a token minter.
 */
export class SandboxIssuer {
  private constructor(
    private readonly privateKey: SigningKey,
    readonly publicJwk: JWK,
    readonly issuer: string,
    readonly audience: string,
    readonly nationalIdClaim: string,
  ) {}

  static async create(options: { issuer: string; audience: string; nationalIdClaim: string; keyFile?: string }): Promise<SandboxIssuer> {
    let jwk: JWK | undefined;
    if (options.keyFile && existsSync(options.keyFile)) jwk = JSON.parse(readFileSync(options.keyFile, 'utf8')) as JWK;
    if (!jwk) {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      jwk = { ...(await exportJWK(privateKey)), kid: `sandbox-${Date.now().toString(36)}`, alg: 'RS256', use: 'sig' };
      if (options.keyFile) {
        mkdirSync(dirname(options.keyFile), { recursive: true });
        writeFileSync(options.keyFile, JSON.stringify(jwk), { mode: 0o600 });
      }
    }
    const privateKey = await importJWK(jwk, 'RS256');
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
    return new SandboxIssuer(privateKey, publicJwk, options.issuer, options.audience, options.nationalIdClaim);
  }

  get jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  async mint(request: SandboxTokenRequest): Promise<string> {
    const subject = request.subject ?? (request.nationalId ? `customer-${request.nationalId.slice(-4)}` : 'sandbox-service');
    const claims: Record<string, unknown> = { scope: request.scopes.join(' '), azp: request.clientId ?? 'sandbox-client' };
    if (request.nationalId) claims[this.nationalIdClaim] = request.nationalId;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.publicJwk.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(`${request.expiresInSeconds ?? 3600}s`)
      .sign(this.privateKey);
  }
}

/** `/.well-known/jwks.json` and `POST /token` (form or JSON: scope, national_id) for frontend teams' own tests. */
export const sandboxIssuerPlugin: FastifyPluginAsync<{ issuer: SandboxIssuer }> = async (app, { issuer }) => {
  app.get('/.well-known/jwks.json', async () => issuer.jwks);
  app.post('/token', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const scopes = typeof body.scope === 'string' ? body.scope.split(/[\s,]+/).filter(Boolean) : [];
    const nationalId = typeof body.national_id === 'string' && body.national_id ? body.national_id : undefined;
    if (nationalId !== undefined && !/^\d{11}$/.test(nationalId)) {
      return reply.status(400).send({ error: 'invalid_request', error_description: 'national_id must be 11 digits' });
    }
    const token = await issuer.mint({ scopes, nationalId });
    return reply.header('cache-control', 'no-store').send({ access_token: token, token_type: 'Bearer', expires_in: 3600, scope: scopes.join(' ') });
  });
};

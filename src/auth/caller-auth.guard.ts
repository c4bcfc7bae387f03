import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createRemoteJWKSet, errors as joseErrors, JWTPayload, jwtVerify } from 'jose';
import { AppConfig } from '../config/app-config';
import { isValidNationalId } from '../common/national-id';
import { AppError } from '../common/problem';
import type { Caller } from './caller';
import { AuthenticatedRequest, PUBLIC_KEY, SCOPES_KEY } from './scopes.decorator';

const CLOCK_SKEW_SECONDS = 30;
/** A verified token is trusted again for at most this long (and never past its exp). */
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX_ENTRIES = 10_000;
const ALGORITHMS = ['RS256', 'PS256', 'ES256'];

/**
 * Validates the bank IdP's bearer JWT on every route not marked @Public: signature against
 * AUTH_JWKS_URL, exp/nbf with a small skew, iss, aud. 401 when the token is missing or invalid,
 * 403 when it lacks the route's scope (RFC 6750 error codes in WWW-Authenticate).
 */
@Injectable()
export class CallerAuthGuard implements CanActivate {
  private readonly jwks;
  /**
   * Callers send the same token on many requests; an RS256 check costs far more than the rest of
   * a request. Keyed by the whole token (a signature reused with another payload never matches).
   */
  private readonly verified = new Map<string, { caller: Caller; until: number }>();
  private readonly rules = new WeakMap<object, { isPublic: boolean; required: string[] }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {
    this.jwks = createRemoteJWKSet(new URL(config.authJwksUrl), {
      timeoutDuration: 3000,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { isPublic, required } = this.routeRules(context);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const caller = await this.authenticate(request.headers.authorization);
    if (required.length > 0 && !required.some((scope) => caller.scopes.has(scope))) {
      throw new AppError('INSUFFICIENT_SCOPE', `This operation needs the scope ${required.join(' or ')}.`, {
        headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${required.join(' ')}"` },
      });
    }
    request.caller = caller;
    return true;
  }

  /** A route's @Public and @RequireScopes, read once per handler (decorator metadata never changes). */
  private routeRules(context: ExecutionContext): { isPublic: boolean; required: string[] } {
    const handler = context.getHandler();
    let rules = this.rules.get(handler);
    if (!rules) {
      const targets = [handler, context.getClass()];
      rules = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true,
        required: this.reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, targets) ?? [],
      };
      this.rules.set(handler, rules);
    }
    return rules;
  }

  private async authenticate(header: string | undefined): Promise<Caller> {
    const match = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+)$/.exec(header ?? '');
    if (!match) throw unauthenticated(header ? 'The Authorization header must be "Bearer <JWT>".' : 'A bearer token is required.', !header);
    const token = match[1];
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && known.until > now) return known.caller;
    if (known) this.verified.delete(token);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.config.authIssuer,
        audience: this.config.authAudience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(now),
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWKSTimeout || (error instanceof Error && /fetch|ECONNREFUSED|network/i.test(error.message) && !(error instanceof joseErrors.JOSEError))) {
        throw new AppError('DEPENDENCY_UNAVAILABLE', 'The identity provider keys could not be fetched.');
      }
      throw unauthenticated(describe(error), false);
    }
    const caller = toCaller(payload, this.config.authNationalIdClaim);
    if (this.verified.size >= VERIFIED_MAX_ENTRIES) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { caller, until: Math.min(now + VERIFIED_TTL_MS, payload.exp! * 1000) });
    return caller;
  }
}

function toCaller(payload: JWTPayload, nationalIdClaim: string): Caller {
  const scopeClaim = payload.scope ?? payload.scp;
  const scopes = new Set(Array.isArray(scopeClaim) ? scopeClaim.map(String) : typeof scopeClaim === 'string' ? scopeClaim.split(' ').filter(Boolean) : []);
  const nationalId = payload[nationalIdClaim];
  if (nationalId !== undefined && !isValidNationalId(nationalId)) {
    throw unauthenticated(`The token's ${nationalIdClaim} claim is not a valid national id.`, false);
  }
  const clientId = [payload.azp, payload.client_id, payload.sub].find((v): v is string => typeof v === 'string' && v.length > 0)!;
  return { subject: payload.sub!, clientId, scopes, nationalId: nationalId as string | undefined };
}

function describe(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The token has expired.';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `The token's ${error.claim} claim is not accepted.`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) return 'The token signature is not valid.';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'The token algorithm is not accepted.';
  return 'The token is not valid.';
}

function unauthenticated(detail: string, missing: boolean): AppError {
  return new AppError('UNAUTHENTICATED', detail, {
    headers: { 'www-authenticate': missing ? 'Bearer' : 'Bearer error="invalid_token"' },
  });
}

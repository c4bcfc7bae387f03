import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** Which upstream endpoint a route plays; the call log and the fault injector key on it. */
export type Endpoint =
  | 'discovery'
  | 'jwks'
  | 'auth'
  | 'token'
  | 'userinfo'
  | 'revokeToken'
  | 'logout'
  | 'debt'
  | 'debtById'
  | 'revoke'
  | 'status'
  | 'agreement'
  | 'feed'
  | 'control';

export const DEBT_ENDPOINTS: readonly Endpoint[] = ['debt', 'debtById', 'revoke', 'status'];
export const SPRING_ENDPOINTS: readonly Endpoint[] = ['agreement', 'feed'];
export const FEED_SCOPE = 'client.access.consent.events';
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function endpointOf(req: FastifyRequest): Endpoint | undefined {
  return (req.routeOptions.config as { endpoint?: Endpoint } | undefined)?.endpoint;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined and base64-encoded. */
export function parseBasic(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  try {
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { clientId: formDecode(decoded.slice(0, i)), clientSecret: formDecode(decoded.slice(i + 1)) };
  } catch {
    return undefined;
  }
}

export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function redirectUrl(base: string, params: Record<string, string>): string {
  const u = new URL(base);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

export function isFormRequest(req: FastifyRequest): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

export function redactBody(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  if ('client_secret' in copy) copy.client_secret = '[redacted]';
  return copy;
}

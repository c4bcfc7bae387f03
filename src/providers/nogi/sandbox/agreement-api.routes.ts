import type { FastifyInstance } from 'fastify';
import { isDebtScope, MAX_DURATION_DAYS } from './auth-scope';
import { isValidNationalId } from '../../../common/national-id';
import type { NogiSandbox } from './nogi-sandbox.state';
import type { UpstreamErrors } from './upstream-errors';

/** The Agreement API: a consent registered by the bank (PUT, idempotent on client_consent_id). */
export function registerAgreementApiRoutes(app: FastifyInstance, sandbox: NogiSandbox, errors: UpstreamErrors): void {
  const { springError } = errors;

  // ---- Agreement API (Spring: 401 without body, SpringErrorSchema otherwise) ----

  app.put('/v1/consent/agreement', { config: { endpoint: 'agreement' } }, async (req, reply) => {
    const token = sandbox.tokenFromHeader(req.headers.authorization);
    if (!token) return reply.code(401).header('www-authenticate', 'Bearer').send();
    if (token.grant !== 'client_credentials' || token.audience !== sandbox.audiences.agreement || !token.scopes.includes('consent.create')) {
      return springError(req, reply, 403, 'The access token does not grant consent.create for this audience');
    }
    const body = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return springError(req, reply, 400, 'Required request body is missing');
    const b = body as Record<string, unknown>;
    const missing = ['nin', 'scope_of_consent', 'consent_duration_days', 'client_consent_id'].filter((k) => b[k] === undefined || b[k] === null);
    if (missing.length > 0) return springError(req, reply, 400, `Missing required field(s): ${missing.join(', ')}`);
    if (!isValidNationalId(b.nin)) return springError(req, reply, 400, 'nin must be a valid national identity number (11 digits)');
    if (!isDebtScope(b.scope_of_consent)) return springError(req, reply, 400, 'scope_of_consent must be debt.unsecured.presentation or debt.unsecured.processing');
    // Jackson coerces "100" to 100, and NoGi's own Python sample sends a string; fractions are refused.
    const rawDays = b.consent_duration_days;
    const days = typeof rawDays === 'number' ? rawDays : typeof rawDays === 'string' && /^\d{1,9}$/.test(rawDays) ? Number(rawDays) : NaN;
    if (!Number.isInteger(days) || days < 1) return springError(req, reply, 400, 'consent_duration_days must be a positive integer');
    // Undocumented upstream (clamp or 400); the sandbox refuses with 400 so a client never silently gets less than it registered.
    const max = MAX_DURATION_DAYS[b.scope_of_consent];
    if (days > max) return springError(req, reply, 400, `consent_duration_days must be at most ${max} for ${b.scope_of_consent}`);
    const clientConsentId = b.client_consent_id;
    if (typeof clientConsentId !== 'string' || clientConsentId.length === 0 || clientConsentId.length > 255) {
      return springError(req, reply, 400, 'client_consent_id must be a non-empty string of at most 255 characters');
    }
    const result = sandbox.registerAgreement(token.clientId, { nin: b.nin, scope: b.scope_of_consent, days, clientConsentId });
    if ('conflict' in result) return springError(req, reply, 409, 'client_consent_id is already registered with other data');
    const c = result.consent;
    return reply.code(200).send({
      client_consent_id: clientConsentId,
      consent: { id: c.id, expires_at: new Date(c.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'), scope_of_consent: c.scope },
    });
  });
}

import type { FastifyInstance } from 'fastify';
import { badControlRequest, CONTROL_ROUTE, registerSandboxControlRoutes } from '../../../../sandbox/control-routes';
import { parseServiceSetting, serviceKey, type Altinn2Service } from '../../altinn2/altinn2-services';
import { ALTINN2_SANDBOX_ORG_NUMBER, type Altinn2Sandbox, type TokenTamper } from './altinn2-sandbox.state';

/** /_sandbox/*: the shared faults, call log, clock and reset, plus Altinn 2's keys, token options and tampering, and consents. */
export function registerControlRoutes(app: FastifyInstance, sandbox: Altinn2Sandbox): void {
  const control = CONTROL_ROUTE;
  const body = (b: unknown) => (b ?? {}) as Record<string, unknown>;
  registerSandboxControlRoutes(app, sandbox);

  app.get('/_sandbox/keys', control, async () => sandbox.keyIds());
  app.post('/_sandbox/keys/rotate', control, async () => sandbox.rotateKeys());

  /** {claimForm?: 'new'|'old', tokenBody?: 'json-string'|'raw', jwksMaxAgeSeconds?: number} */
  app.post('/_sandbox/options', control, async (req, reply) => {
    const b = body(req.body);
    if (b.claimForm !== undefined && b.claimForm !== 'new' && b.claimForm !== 'old') return reply.code(400).send({ error: 'claimForm must be new or old' });
    if (b.tokenBody !== undefined && b.tokenBody !== 'json-string' && b.tokenBody !== 'raw') return reply.code(400).send({ error: 'tokenBody must be json-string or raw' });
    if (b.jwksMaxAgeSeconds !== undefined && !(Number.isInteger(b.jwksMaxAgeSeconds) && (b.jwksMaxAgeSeconds as number) >= 0)) return reply.code(400).send({ error: 'jwksMaxAgeSeconds must be an integer >= 0' });
    if (b.claimForm) sandbox.claimForm = b.claimForm as 'new' | 'old';
    if (b.tokenBody) sandbox.tokenBody = b.tokenBody as 'json-string' | 'raw';
    if (b.jwksMaxAgeSeconds !== undefined) sandbox.jwksMaxAgeSeconds = b.jwksMaxAgeSeconds as number;
    return { claimForm: sandbox.claimForm, tokenBody: sandbox.tokenBody, jwksMaxAgeSeconds: sandbox.jwksMaxAgeSeconds };
  });

  /** The next token(s): {claims?: {name: value|null}, signer?: 'unknown', times?}; an empty body clears. */
  app.post('/_sandbox/token-tamper', control, async (req, reply) => {
    try {
      sandbox.setTamper(body(req.body) as TokenTamper);
      return reply.code(204).send();
    } catch (err) {
      return badControlRequest(reply, err);
    }
  });

  /** A consent as if the customer approved: {offeredBy, services: ['4628;210607'], metadata?: {'4628;210607': {inntektsaar: '2024'}}, coveredBy?, validToSeconds?} */
  app.post('/_sandbox/consents', control, async (req, reply) => {
    const b = body(req.body);
    const services = Array.isArray(b.services) ? b.services.map((s) => (typeof s === 'string' ? parseServiceSetting(s) : undefined)) : [];
    if (typeof b.offeredBy !== 'string' || services.length === 0 || services.some((s) => !s)) return reply.code(400).send({ error: 'offeredBy and services (code;edition) are required' });
    const metadata = (b.metadata && typeof b.metadata === 'object' ? b.metadata : {}) as Record<string, Record<string, string>>;
    const validToSeconds = typeof b.validToSeconds === 'number' ? b.validToSeconds : 30 * 86_400;
    const consent = sandbox.createConsent({
      offeredBy: b.offeredBy,
      coveredBy: typeof b.coveredBy === 'string' ? b.coveredBy : ALTINN2_SANDBOX_ORG_NUMBER,
      services: services as Altinn2Service[],
      metadata: Object.fromEntries((services as Altinn2Service[]).map((s) => [serviceKey(s), metadata[serviceKey(s)] ?? {}])),
      validTo: new Date(sandbox.now() + validToSeconds * 1000),
    });
    return reply.code(201).send({ authorizationCode: consent.authorizationCode, validTo: consent.validTo.toISOString() });
  });
}

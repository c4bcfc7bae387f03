import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AccessToken, type FeedEvent, isoNanos, type NogiSandbox } from './nogi-sandbox.state';
import { FEED_SCOPE, UUID_RE } from './sandbox-http';
import type { UpstreamErrors } from './upstream-errors';

/** The Consents Feed: the client's consent events by sequence number, and the window's bounds. */
export function registerConsentFeedRoutes(app: FastifyInstance, sandbox: NogiSandbox, errors: UpstreamErrors): void {
  const { springError } = errors;

  // ---- Consents Feed (Spring; token requirement from the docs, 401 without body like the Agreement API) ----

  function feedToken(req: FastifyRequest, reply: FastifyReply): AccessToken | undefined {
    const token = sandbox.tokenFromHeader(req.headers.authorization);
    if (!token) {
      reply.code(401).header('www-authenticate', 'Bearer').send();
      return undefined;
    }
    if (token.grant !== 'client_credentials' || token.audience !== sandbox.audiences.feed || !token.scopes.includes(FEED_SCOPE)) {
      springError(req, reply, 403, `The access token does not grant ${FEED_SCOPE} for this audience`);
      return undefined;
    }
    return token;
  }

  function feedEventBody(e: FeedEvent) {
    const clientId = sandbox.feedClientId(e.clientId);
    // NoGi's own example puts the externalConsentId in the archived event's nested consentId; mimic it
    // when that id is a UUID (the schema says format: uuid), otherwise use the NoGi consent id.
    const nestedArchivedId = e.externalConsentId && UUID_RE.test(e.externalConsentId) ? e.externalConsentId : e.consentId;
    return {
      sequenceNr: e.sequenceNr,
      eventId: e.eventId,
      consentId: e.consentId,
      timestamp: e.timestamp,
      eventType: e.eventType,
      samtykkeOpprettetEvent:
        e.eventType === 'SAMTYKKE_OPPRETTET'
          ? { clientId, consentId: e.consentId, scope: e.scope, ...(e.externalConsentId !== undefined ? { externalConsentId: e.externalConsentId } : {}) }
          : null,
      samtykkeArkivertEvent: e.eventType === 'SAMTYKKE_ARKIVERT' ? { clientId, consentId: nestedArchivedId } : null,
    };
  }

  app.get('/feed/v1/consent', { config: { endpoint: 'feed' } }, async (req, reply) => {
    const token = feedToken(req, reply);
    if (!token) return reply;
    const q = req.query as Record<string, unknown>;
    for (const name of ['fromSequenceNr', 'limit']) {
      if (q[name] === undefined) return springError(req, reply, 400, `Required request parameter '${name}' is not present`);
      if (typeof q[name] !== 'string' || !/^-?\d{1,15}$/.test(q[name] as string)) return springError(req, reply, 400, `Parameter '${name}' must be an integer`);
    }
    const from = Number(q.fromSequenceNr);
    const limit = Number(q.limit);
    if (from < 0) return springError(req, reply, 400, 'fromSequenceNr must not be negative');
    if (limit < 1) return springError(req, reply, 400, 'limit must be at least 1');
    const beforeFirst = from < sandbox.firstSequenceNrFor(token.clientId) ? sandbox.feedBeforeFirst : undefined;
    if (beforeFirst === 'reject') return springError(req, reply, 400, 'fromSequenceNr is before firstSequenceNr');
    // Undocumented maximum; the sandbox caps a page at 1000 events.
    const page = sandbox
      .feedEvents(token.clientId)
      .filter(() => beforeFirst !== 'empty')
      .filter((e) => e.sequenceNr >= from)
      .sort((a, b) => a.sequenceNr - b.sequenceNr)
      .slice(0, Math.min(limit, 1000));
    const start = Math.max(from, 1);
    // Empty page (undocumented upstream): result [], endSequenceNr = fromSequenceNr − 1 (floored at 1,
    // and the sandbox never uses 1), so "continue from endSequenceNr + 1" never skips an event.
    const end = page.length > 0 ? page[page.length - 1].sequenceNr : Math.max(from - 1, 1);
    return reply.send({ startSequenceNr: start, endSequenceNr: end, generatedAt: isoNanos(sandbox.now()), result: page.map(feedEventBody) });
  });

  app.get('/feed/v1/consent/firstSequenceNr', { config: { endpoint: 'feed' } }, async (req, reply) => {
    const token = feedToken(req, reply);
    if (!token) return reply;
    return reply.send({ firstSequenceNr: sandbox.firstSequenceNrFor(token.clientId) });
  });

  app.get('/feed/v1/consent/lastSequenceNr', { config: { endpoint: 'feed' } }, async (req, reply) => {
    const token = feedToken(req, reply);
    if (!token) return reply;
    return reply.send({ lastSequenceNr: sandbox.lastSequenceNrFor(token.clientId) });
  });
}

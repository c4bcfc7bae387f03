import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ALTINN3_SCOPES, CONSENT_EVENTS_PATH, CONSENT_REQUESTS_PATH, ORGANIZATION_URN_PREFIX } from '../../altinn3/consent-request.types';
import type { Altinn3Sandbox } from './altinn3-sandbox.state';
import type { Altinn3Endpoint, Altinn3TokenSubject } from './altinn3-sandbox.types';
import { detailsDto } from './consent-request.dto';
import { checkNewRequest, checkParties, type ValidationErrors } from './consent-request.validation';
import { feedPage } from './events-feed';
import { problem, validationProblem } from './problem-details';

const endpoint = (name: Altinn3Endpoint) => ({ config: { endpoint: name } });

/** The enterprise consent-request API (notes 1.1–1.7): create, read, events. */
export function registerConsentRequestRoutes(app: FastifyInstance, sandbox: Altinn3Sandbox): void {
  /** The bearer token's organisation when it is valid for `scope`; else the 401 is sent. */
  async function authenticate(req: FastifyRequest, reply: FastifyReply, scope: string): Promise<Altinn3TokenSubject | undefined> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const subject = m ? await sandbox.verifyToken(m[1], scope) : undefined;
    if (!subject) void problem(req, reply, 401, 'Unauthorized');
    return subject;
  }

  app.post(CONSENT_REQUESTS_PATH, endpoint('consentRequestCreate'), async (req, reply) => {
    const subject = await authenticate(req, reply, ALTINN3_SCOPES.write);
    if (!subject) return reply;
    const body = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return validationProblem(req, reply, { '': ['A non-empty request body is required.'] });
    const errors: ValidationErrors = {};
    const parties = checkParties(body, errors);
    if (!parties) return validationProblem(req, reply, errors);
    // `to` must be the token's organisation (altinn:consentrequests.org is not simulated): 403.
    if (parties.toOrgNumber !== subject.orgNumber) return reply.code(403).send();

    const existing = sandbox.request(parties.id);
    if (existing) {
      // Same id and parties: the stored request, nothing else compared (notes 1.4).
      if (existing.from === parties.from && existing.to === parties.to) return reply.code(200).send(detailsDto(sandbox, existing));
      return problem(req, reply, 400, 'Bad Request', { detail: 'Consent with id already exists' });
    }
    const request = checkNewRequest(body, parties, sandbox.now(), errors);
    if (!request) return validationProblem(req, reply, errors);
    // The PDP: may this organisation request consent to each resource? No: 403 with no body.
    if (request.consentRights.some((r) => !sandbox.pdpAllows(request.to, r.resource[0].value))) return reply.code(403).send();
    const stored = sandbox.store(request);
    return reply.code(201).header('location', sandbox.location(stored.id)).send(detailsDto(sandbox, stored));
  });

  // Registered before `/:id` reads it: find-my-way prefers the static segment anyway.
  app.get(CONSENT_EVENTS_PATH, endpoint('consentEvents'), async (req, reply) => {
    const subject = await authenticate(req, reply, ALTINN3_SCOPES.read);
    if (!subject) return reply;
    const page = feedPage(sandbox, `${ORGANIZATION_URN_PREFIX}${subject.orgNumber}`, req.query as Record<string, unknown>);
    if ('errors' in page) return validationProblem(req, reply, page.errors);
    return reply.code(200).send(page.body);
  });

  app.get(`${CONSENT_REQUESTS_PATH}/:id`, endpoint('consentRequestGet'), async (req, reply) => {
    const subject = await authenticate(req, reply, ALTINN3_SCOPES.read);
    if (!subject) return reply;
    const { id } = req.params as { id: string };
    const request = sandbox.request(id);
    // Another organisation's request is not shown to it.
    if (!request || request.to !== `${ORGANIZATION_URN_PREFIX}${subject.orgNumber}`) return problem(req, reply, 404, 'Not Found');
    return reply.code(200).send(detailsDto(sandbox, request));
  });
}

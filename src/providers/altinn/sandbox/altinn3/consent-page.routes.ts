import type { FastifyInstance, FastifyReply } from 'fastify';
import { type Altinn3Sandbox, CustomerActionError } from './altinn3-sandbox.state';
import type { Altinn3Endpoint } from './altinn3-sandbox.types';
import { consentPage, errorPage } from './consent-page.html';

export const CONSENT_PAGE_PATH = '/accessmanagement/ui/consent/request';
const endpoint = { config: { endpoint: 'consentPage' as Altinn3Endpoint } };

/**
 * Altinn's redirect back (notes 1.6): `Status=OK`, or `Status=Failed&ErrorMessage=…`, joined with
 * `?` or `&`; inside a `#/` route fragment, else before a plain `#anchor`.
 */
export function redirectWithStatus(redirectUrl: string, accepted: boolean): string {
  const params = accepted ? 'Status=OK' : 'Status=Failed&ErrorMessage=User+did+not+give+consent';
  const hashAt = redirectUrl.indexOf('#');
  const base = hashAt < 0 ? redirectUrl : redirectUrl.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : redirectUrl.slice(hashAt);
  if (fragment.startsWith('#/')) return `${base}${fragment}${fragment.includes('?') ? '&' : '?'}${params}`;
  return `${base}${base.includes('?') ? '&' : '?'}${params}${fragment}`;
}

/** The customer's side: the consent page and its decision (no login simulated: whoever opens it is `from`). */
export function registerConsentPageRoutes(app: FastifyInstance, sandbox: Altinn3Sandbox): void {
  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

  app.get(CONSENT_PAGE_PATH, endpoint, async (req, reply) => {
    const id = (req.query as Record<string, unknown>).id;
    const request = typeof id === 'string' ? sandbox.request(id) : undefined;
    if (!request) return html(reply, 404, errorPage('Ukjent forespørsel', 'Fant ingen samtykkeforespørsel med denne id-en.'));
    const expired = request.validTo < sandbox.now();
    const answerable = request.status === 'created' && !expired;
    const statusText = expired ? 'Forespørselen er utløpt (expired).' : `Forespørselen er allerede besvart (${request.status}).`;
    return html(reply, 200, consentPage(request, `${sandbox.baseUrl}${CONSENT_PAGE_PATH}`, { answerable, statusText }));
  });

  app.post(CONSENT_PAGE_PATH, endpoint, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const decision = b.decision;
    if (typeof b.id !== 'string' || (decision !== 'approve' && decision !== 'deny')) return html(reply, 400, errorPage('Ugyldig svar', 'Velg godta eller avslå.'));
    try {
      const request = sandbox.act(b.id, decision === 'approve' ? 'accept' : 'reject');
      return reply.redirect(redirectWithStatus(request.redirectUrl, decision === 'approve'), 303);
    } catch (err) {
      if (err instanceof CustomerActionError) return html(reply, 409, errorPage('Kan ikke besvares', err.message));
      throw err;
    }
  });
}

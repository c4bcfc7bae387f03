import type { FastifyInstance, FastifyReply } from 'fastify';
import { isValidNationalId } from '../../../../common/national-id';
import { type Altinn2Service, serviceKey } from '../../altinn2/altinn2-services';
import { formatOsloDateTime, parseAltinn2Date } from '../../altinn2/oslo-time';
import type { Altinn2Endpoint, Altinn2Sandbox, PendingConsentRequest } from './altinn2-sandbox.state';
import { accessConsentPage, errorPage } from './access-consent.html';

const LANGUAGES = ['en', 'nb-NO', 'nn-NO'];
const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * Altinn 2's consent page (`/ui/AccessConsent/`): GET validates the link's parameters as Altinn
 * does and shows a plain HTML form (works without JavaScript): the simulated ID-porten login (a
 * national id) and two submit buttons named `decision`. POST redirects to RedirectUrl with
 * `AuthorizationCode=<guid>&Status=OK`, or `Status=Failed&ErrorMessage=User did not give consent`.
 */
export function registerAccessConsentRoutes(app: FastifyInstance, sandbox: Altinn2Sandbox): void {
  const endpoint = { config: { endpoint: 'accessConsent' as Altinn2Endpoint } };

  app.get('/ui/AccessConsent/', endpoint, async (req, reply) => {
    const parsed = parseLink(sandbox, req.query as Record<string, unknown>);
    if (typeof parsed === 'string') return html(reply, 400, errorPage(parsed));
    const requestId = sandbox.addPending(parsed);
    return html(reply, 200, accessConsentPage({ action: req.url.split('?')[0], requestId, request: parsed, validTo: formatOsloDateTime(parsed.validTo) }));
  });

  app.post('/ui/AccessConsent/', endpoint, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const decision = str(body.decision);
    const offeredBy = str(body.offeredBy)?.trim() ?? '';
    if (decision !== 'approve' && decision !== 'deny') return html(reply, 400, errorPage('Choose to give or not to give consent.'));
    if (decision === 'approve' && !isValidNationalId(offeredBy)) return html(reply, 400, errorPage('Log in with a valid national id (11 digits).'));
    const request = sandbox.takePending(str(body.requestId) ?? '');
    if (!request) return html(reply, 400, errorPage('This consent request is unknown or was already answered.'));
    const target = new URL(request.redirectUrl);
    if (decision === 'deny') {
      target.searchParams.set('Status', 'Failed');
      target.searchParams.set('ErrorMessage', 'User did not give consent');
      return reply.redirect(target.toString(), 302);
    }
    const consent = sandbox.createConsent({ offeredBy, coveredBy: request.coveredBy, services: request.services, metadata: request.metadata, validTo: request.validTo });
    target.searchParams.set('AuthorizationCode', consent.authorizationCode);
    target.searchParams.set('Status', 'OK');
    return reply.redirect(target.toString(), 302);
  });
}

function html(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

/** The link's parameters, checked as Altinn's table in the document describes them; a string names what is wrong. */
export function parseLink(sandbox: Altinn2Sandbox, q: Record<string, unknown>): PendingConsentRequest | string {
  const resources = str(q.Resources);
  if (!resources) return 'Resources is required.';
  const services: Altinn2Service[] = [];
  for (const item of resources.split(',')) {
    const m = /^(\d+);(\d+)$/.exec(item.trim());
    if (!m || !sandbox.service(m[1], m[2])) return `Resources names an unknown service: ${item.trim()}`;
    services.push({ code: m[1], edition: m[2] });
  }
  const coveredBy = str(q.CoveredBy) ?? '';
  if (!/^\d{9}$/.test(coveredBy)) return 'CoveredBy must be an organisation number.';
  if (!sandbox.isRegisteredConsumer(coveredBy)) return 'CoveredBy is not registered as a consumer of this service.';
  const redirectUrl = str(q.RedirectUrl) ?? '';
  let redirect: URL;
  try {
    redirect = new URL(redirectUrl);
  } catch {
    return 'RedirectUrl must be an absolute URL.';
  }
  if (redirect.protocol !== 'https:' && redirect.protocol !== 'http:') return 'RedirectUrl must be an http(s) URL.';
  const validToText = str(q.ValidToDate) ?? '';
  const validTo = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(validToText) ? parseAltinn2Date(validToText) : undefined;
  if (!validTo) return 'ValidToDate must be YYYY-MM-DD hh:mm:ss.';
  if (validTo.getTime() <= sandbox.now()) return 'ValidToDate must be in the future.';
  const languageCode = str(q.LanguageCode) ?? 'nb-NO';
  if (!LANGUAGES.includes(languageCode)) return 'LanguageCode must be en, nb-NO or nn-NO.';
  const delegationContext = str(q.DelegationContext)?.trim();
  if (!delegationContext) return 'DelegationContext is required.';
  if (str(q.ResponseType) !== 'code') return 'ResponseType must be code.';
  const metadata: Record<string, Record<string, string>> = {};
  const metadataText = str(q.Metadata);
  if (metadataText) {
    for (const item of metadataText.split(',')) {
      const m = /^(\d+)_(\d+)_([A-Za-z][A-Za-z0-9]*);(.+)$/.exec(item.trim());
      const service = m && services.find((s) => s.code === m[1] && s.edition === m[2]);
      const definition = m && sandbox.service(m[1], m[2]);
      if (!m || !service || !definition?.parameters.includes(m[3])) return `Metadata item not accepted: ${item.trim()}`;
      (metadata[serviceKey(service)] ??= {})[m[3]] = m[4].trim();
    }
  }
  return { services, metadata, coveredBy, redirectUrl, validTo, delegationContext, languageCode };
}

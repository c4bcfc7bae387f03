import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AccessToken, isoMicros, type NogiSandbox, type SandboxConsent } from './nogi-sandbox.state';
import { UUID_RE } from './sandbox-http';
import type { UpstreamErrors } from './upstream-errors';

/** The Debt API: the debt by the person's token or by consent id, the consent's status, revocation. */
export function registerDebtApiRoutes(app: FastifyInstance, sandbox: NogiSandbox, errors: UpstreamErrors): void {
  const { debtError } = errors;

  // ---- Debt API: 403 for bad tokens and consents, with each endpoint's documented body ----

  function bearerFailure(req: FastifyRequest, reply: FastifyReply, statusEndpoint: boolean) {
    if (statusEndpoint) return debtError(req, reply, 403, 'Invalid access token');
    const state = sandbox.tokenState(req.headers.authorization);
    return debtError(req, reply, 403, 'invalid access token', state === 'expired' ? 'Access token is expired' : 'Access token is invalid');
  }

  /** A live client-credentials token for the debt audience (status accepts it with any debt scope set). */
  function debtClientToken(req: FastifyRequest): AccessToken | undefined {
    const token = sandbox.tokenFromHeader(req.headers.authorization);
    if (!token || token.grant !== 'client_credentials' || token.audience !== sandbox.audiences.debt) return undefined;
    return token;
  }

  function debtBody(consent: SandboxConsent) {
    const debt = sandbox.debtFor(consent);
    return {
      ssn: consent.nationalId,
      loans: debt.loans,
      numberOfCreditorsAnswered: debt.numberOfCreditorsAnswered,
      // NoGi's spelling, lowercase c.
      numberOfcreditorsMissing: debt.numberOfcreditorsMissing,
      consent: { id: consent.id, exp: Math.floor(consent.expiresAt / 1000), scope: consent.scope },
    };
  }

  /** Why a consent cannot be used, as NoGi words it for /v1/debt/{id}. */
  function consentProblem(consent: SandboxConsent | undefined, token: AccessToken): string | undefined {
    if (!consent || consent.clientId !== token.clientId) return 'Consent not found';
    if (consent.revokedAt !== undefined) return `Consent revoked at ${isoMicros(consent.revokedAt)}`;
    if (consent.expiresAt <= sandbox.now()) return `Consent expired at ${isoMicros(consent.expiresAt)}`;
    if (consent.singleUse && consent.used) return 'Consent has already been used';
    return undefined;
  }

  /**
   * The usable consent a client-credentials call names by id, or the 403/400 NoGi answers instead
   * (then `undefined`, with the reply already sent).
   */
  function usableConsent(req: FastifyRequest, reply: FastifyReply): { token: AccessToken; consent: SandboxConsent } | undefined {
    const token = debtClientToken(req);
    if (!token) return void bearerFailure(req, reply, false);
    const { id } = req.params as { id: string };
    if (!UUID_RE.test(id)) return void debtError(req, reply, 400, 'bad request', 'Invalid consent id');
    const consent = sandbox.consent(id.toLowerCase());
    const problem = consentProblem(consent, token);
    if (problem || !consent) return void debtError(req, reply, 403, 'invalid consent', problem);
    return { token, consent };
  }

  app.get('/v1/debt', { config: { endpoint: 'debt' } }, async (req, reply) => {
    const token = sandbox.tokenFromHeader(req.headers.authorization);
    if (!token) return bearerFailure(req, reply, false);
    const consent = token.grant === 'authorization_code' && token.consentId ? sandbox.consent(token.consentId) : undefined;
    if (!consent || !sandbox.isActive(consent)) return debtError(req, reply, 403, 'no valid consent');
    // NoGi's default consent allows one fetch.
    if (consent.singleUse) sandbox.markUsed(consent);
    return reply.send(debtBody(consent));
  });

  app.get('/v1/debt/:id', { config: { endpoint: 'debtById' } }, async (req, reply) => {
    const usable = usableConsent(req, reply);
    if (!usable) return reply;
    const { token, consent } = usable;
    if (!token.scopes.includes(consent.scope)) return debtError(req, reply, 403, 'invalid consent', `Access token lacks scope ${consent.scope}`);
    if (consent.singleUse) sandbox.markUsed(consent);
    return reply.send(debtBody(consent));
  });

  app.delete('/v1/debt/:id', { config: { endpoint: 'revoke' } }, async (req, reply) => {
    // Sandbox choice following NoGi's 403 example: revoking an inactive (expired/revoked/used) consent is 403.
    const usable = usableConsent(req, reply);
    if (!usable) return reply;
    sandbox.revokeByClient(usable.consent);
    return reply.code(204).send();
  });

  app.get('/v1/debt/:id/status', { config: { endpoint: 'status' } }, async (req, reply) => {
    const token = debtClientToken(req);
    if (!token) return bearerFailure(req, reply, true);
    const { id } = req.params as { id: string };
    if (!UUID_RE.test(id)) return debtError(req, reply, 400, 'bad request', 'Invalid consent id');
    const consent = sandbox.consent(id.toLowerCase());
    // Sandbox choice after the stale `consent_info` schema ("false if no consent was found"):
    // an unknown or another client's consent is 200 {active:false, expires_at:0}, never 403/404.
    if (!consent || consent.clientId !== token.clientId) return reply.send({ active: false, expires_at: 0 });
    return reply.send({ active: sandbox.isActive(consent), expires_at: Math.floor(consent.expiresAt / 1000) });
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isValidNationalId } from '../../../common/national-id';
import { FALLBACK_CERT_HEADER, FALLBACK_JWT_HEADER } from '../psd2-fallback.signer';
import { header, psd2Error } from './partner-bank-http';
import type { PartnerBankCall, PartnerBankSandbox } from './partner-bank-sandbox.state';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The account API in NextGenPSD2 1.3 shapes. Every call needs a valid bearer token or both PSD2
 * fallback headers (401 with the reason in `tppMessages[0].text`), then a valid PSU-ID (400). An
 * unknown person has no accounts; another person's account is unknown (404).
 */
export function registerAccountsRoutes(app: FastifyInstance, sandbox: PartnerBankSandbox, calls: WeakMap<FastifyRequest, PartnerBankCall>): void {
  /** The customer's national id, or undefined when the call was refused (the reply is sent). */
  async function authorize(req: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
    const refuse = (status: number, code: string, text: string) => {
      const call = calls.get(req);
      if (call) call.refusal = text;
      psd2Error(reply, status, code, text);
      return undefined;
    };
    const auth = header(req, 'authorization');
    const cert = header(req, FALLBACK_CERT_HEADER);
    const jwt = header(req, FALLBACK_JWT_HEADER);
    if (auth) {
      const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
      if (!token || !sandbox.tokenValid(token)) return refuse(401, 'TOKEN_INVALID', 'BEARER_TOKEN_INVALID');
    } else if (cert || jwt) {
      const result = await sandbox.checkFallback(cert, jwt);
      if ('refused' in result) return refuse(401, /^CERT|JWK/.test(result.refused) ? 'CERTIFICATE_INVALID' : 'SIGNATURE_INVALID', result.refused);
    } else {
      return refuse(401, 'TOKEN_INVALID', 'NO_CREDENTIALS');
    }
    const psuId = header(req, 'psu-id');
    if (!psuId) return refuse(400, 'FORMAT_ERROR', 'PSU_ID_MISSING');
    if (!isValidNationalId(psuId)) return refuse(400, 'FORMAT_ERROR', 'PSU_ID_INVALID');
    return psuId;
  }

  const unknownAccount = (reply: FastifyReply) => psd2Error(reply, 404, 'RESOURCE_UNKNOWN', 'ACCOUNT_UNKNOWN');

  app.get('/v1/accounts', { config: { endpoint: 'accounts' } }, async (req, reply) => {
    const psuId = await authorize(req, reply);
    if (!psuId) return reply;
    return {
      accounts: sandbox.accountsOf(psuId).map((a) => ({
        resourceId: a.resourceId,
        ...(a.iban ? { iban: a.iban } : {}),
        bban: a.bban,
        currency: a.currency,
        name: a.name,
        product: a.product,
        cashAccountType: a.cashAccountType,
        _links: { balances: { href: `/v1/accounts/${a.resourceId}/balances` }, transactions: { href: `/v1/accounts/${a.resourceId}/transactions` } },
      })),
    };
  });

  app.get('/v1/accounts/:id/balances', { config: { endpoint: 'balances' } }, async (req, reply) => {
    const psuId = await authorize(req, reply);
    if (!psuId) return reply;
    const account = sandbox.accountOf(psuId, (req.params as { id: string }).id);
    if (!account) return unknownAccount(reply);
    const referenceDate = new Date(sandbox.now()).toISOString().slice(0, 10);
    return {
      account: { bban: account.bban },
      balances: [
        { balanceAmount: { amount: account.interimAvailable, currency: account.currency }, balanceType: 'interimAvailable', referenceDate },
        { balanceAmount: { amount: account.closingBooked, currency: account.currency }, balanceType: 'closingBooked', referenceDate },
      ],
    };
  });

  app.get('/v1/accounts/:id/transactions', { config: { endpoint: 'transactions' } }, async (req, reply) => {
    const psuId = await authorize(req, reply);
    if (!psuId) return reply;
    const account = sandbox.accountOf(psuId, (req.params as { id: string }).id);
    if (!account) return unknownAccount(reply);
    const q = req.query as Record<string, unknown>;
    if (q.bookingStatus !== 'both' && q.bookingStatus !== 'booked' && q.bookingStatus !== 'pending') return psd2Error(reply, 400, 'PARAMETER_NOT_SUPPORTED', 'BOOKING_STATUS_INVALID');
    const from = typeof q.dateFrom === 'string' ? q.dateFrom : undefined;
    const to = typeof q.dateTo === 'string' ? q.dateTo : undefined;
    if (!from || !DATE.test(from) || (to !== undefined && !DATE.test(to))) return psd2Error(reply, 400, 'FORMAT_ERROR', 'DATE_INVALID');
    const { booked, pending } = sandbox.transactionsOf(account, from, to);
    return {
      account: { bban: account.bban },
      transactions: { ...(q.bookingStatus !== 'pending' ? { booked } : {}), ...(q.bookingStatus !== 'booked' ? { pending } : {}) },
    };
  });
}

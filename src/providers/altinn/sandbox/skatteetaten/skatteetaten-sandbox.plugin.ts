import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { FaultHook } from '../../../../sandbox/fault-hook';
import { FaultInjectionError, type FaultSpec } from '../../../../sandbox/fault-injector';
import { checkAccess } from './skatteetaten-access';
import { incomeFor, taxAssessmentFor } from './skatteetaten-data';
import type { SkatteetatenCallLogEntry, SkatteetatenEndpoint, SkatteetatenSandbox } from './skatteetaten-sandbox.state';

/** Where each API lives under the simulator's base URL (each a configured base URL of its own). */
export const SKATTEETATEN_SANDBOX_PATHS = { taxAssessment: '/summertskattegrunnlag/v2', income: '/inntekt/v1' } as const;

const route = (endpoint: SkatteetatenEndpoint) => ({ config: { endpoint } });
const endpointOf = (req: FastifyRequest) => (req.routeOptions.config as { endpoint?: SkatteetatenEndpoint } | undefined)?.endpoint;
const prefixOf = (endpoint: SkatteetatenEndpoint | undefined, url: string): 'SSG' | 'IM' => (endpoint === 'inntekt' || (!endpoint && url.includes('/inntekt/')) ? 'IM' : 'SSG');
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

const entries = new WeakMap<FastifyRequest, SkatteetatenCallLogEntry>();

/** Skatteetaten's error body; `kode` is what callers map on. */
function feil(req: FastifyRequest, reply: FastifyReply, status: number, kode: string, melding: string) {
  const entry = entries.get(req);
  if (entry) entry.kode = kode;
  return reply.code(status).header('content-type', 'application/json').send({ kode, melding, korrelasjonsid: randomUUID() });
}

/** JSON is served; `application/xml` exists upstream but not here (also 406). */
function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((part) => /^\s*(application\/json|application\/\*|\*\/\*)\s*(;|$)/i.test(part));
}

/**
 * Skatteetaten's summert skattegrunnlag (v2) and inntekt (v1) for banks (`sbl`), each checking the
 * Maskinporten token, its scope and the consent for the person in the URL, and the /_sandbox
 * control surface (faults, calls, clock, reset). The call log keeps route patterns, never the path.
 */
export const skatteetatenSandboxPlugin: FastifyPluginAsync<{ sandbox: SkatteetatenSandbox }> = async (app, opts) => {
  const sandbox = opts.sandbox;
  registerCallLogAndFaults(app, sandbox);

  app.get(`${SKATTEETATEN_SANDBOX_PATHS.taxAssessment}/oppgjoer/sbl/:inntektsaar/:personidentifikator`, route('summertskattegrunnlag'), async (req, reply) => {
    const { inntektsaar, personidentifikator } = req.params as Record<string, string>;
    if (!acceptsJson(req.headers.accept)) return feil(req, reply, 406, 'SSG-009', 'Ugyldig Accept');
    if (!/^\d{4}$/.test(inntektsaar) || !/^\d{11}$/.test(personidentifikator)) return feil(req, reply, 400, 'SSG-006', 'Ugyldig forespørsel');
    const refusal = await checkAccess(sandbox, req.headers.authorization, header(req, 'altinnsamtykke'), {
      prefix: 'SSG',
      scopes: ['skatteetaten:summertskattegrunnlag', 'skatteetaten:spesifisertsummertskattegrunnlag'],
      resource: 'ske-samtykke-sbl-summert-skattegrunnlag',
      metadataCovers: (m) => m.inntektsaar === inntektsaar,
      altinn2Services: ['4628_210607'],
      nationalId: personidentifikator,
    });
    if (refusal) return feil(req, reply, refusal.status, refusal.kode, refusal.melding);
    const data = taxAssessmentFor(personidentifikator, Number(inntektsaar), sandbox.now());
    if (!data) return feil(req, reply, 404, 'SSG-008', 'Fant ikke data for forespurt personidentifikator og inntektsår');
    return sandbox.answerAs ? { ...data, personidentifikator: sandbox.answerAs } : data;
  });

  app.get(`${SKATTEETATEN_SANDBOX_PATHS.income}/sbl/:personidentifikator/inntekter`, route('inntekt'), async (req, reply) => {
    const { personidentifikator } = req.params as Record<string, string>;
    const { fraOgMed, tilOgMed } = req.query as Record<string, unknown>;
    if (!acceptsJson(req.headers.accept)) return feil(req, reply, 406, 'IM-009', 'Ugyldig Accept');
    if (!/^\d{11}$/.test(personidentifikator) || typeof fraOgMed !== 'string' || typeof tilOgMed !== 'string' || !MONTH.test(fraOgMed) || !MONTH.test(tilOgMed) || fraOgMed > tilOgMed) {
      return feil(req, reply, 400, 'IM-006', 'Ugyldig forespørsel');
    }
    const refusal = await checkAccess(sandbox, req.headers.authorization, header(req, 'altinnsamtykke'), {
      prefix: 'IM',
      scopes: ['skatteetaten:inntekt'],
      resource: 'ske-samtykke-sbl-inntekt',
      metadataCovers: (m) => typeof m.fraogmed === 'string' && typeof m.tilogmed === 'string' && m.fraogmed <= fraOgMed && m.tilogmed >= tilOgMed,
      altinn2Services: ['4804_210607', '4804_170223'],
      nationalId: personidentifikator,
    });
    if (refusal) return feil(req, reply, refusal.status, refusal.kode, refusal.melding);
    const statements = incomeFor(personidentifikator, fraOgMed, tilOgMed, sandbox.now());
    if (statements.length === 0) return feil(req, reply, 404, 'IM-008', 'Fant ikke data for forespurt periode');
    const answerAs = sandbox.answerAs;
    return { oppgaveInntektsmottaker: answerAs ? statements.map((s) => ({ ...s, inntektsmottaker: { personidentifikator: answerAs } })) : statements };
  });

  app.setNotFoundHandler((req, reply) => feil(req, reply, 404, `${prefixOf(undefined, req.url)}-003`, 'Ukjent URL'));
  registerControlRoutes(app, sandbox);
};

function header(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function registerCallLogAndFaults(app: FastifyInstance, sandbox: SkatteetatenSandbox): void {
  const faults = new FaultHook(app);
  app.addHook('preHandler', async (req, reply) => {
    const endpoint = endpointOf(req);
    if (!endpoint || endpoint === 'control') return;
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) if (typeof v === 'string') query[k] = v;
    const auth = req.headers.authorization;
    const entry: SkatteetatenCallLogEntry = {
      time: new Date(sandbox.now()).toISOString(),
      method: req.method,
      endpoint,
      route: req.routeOptions.url ?? '',
      query,
      ...(req.headers.accept ? { accept: req.headers.accept } : {}),
      authorization: !auth ? 'none' : /^Bearer\s/i.test(auth) ? 'Bearer' : 'other',
      altinnSamtykke: req.headers.altinnsamtykke !== undefined,
    };
    entries.set(req, entry);
    sandbox.logCall(entry);
    const fault = sandbox.faults.take(endpoint);
    if (!fault) return;
    entry.fault = fault;
    const prefix = prefixOf(endpoint, req.url);
    return faults.apply(req, reply, fault, (r, rep, f) => {
      const status = f.status ?? 500;
      const kode = f.error ?? `${prefix}-${status >= 500 ? '001' : status === 404 ? '008' : status === 403 ? '010' : status === 401 ? '004' : '006'}`;
      return feil(r, rep, status, kode, f.errorDescription ?? 'Feil fra sandkassen');
    });
  });
  app.addHook('onResponse', async (req, reply) => {
    const entry = entries.get(req);
    if (entry) entry.status = reply.statusCode;
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? 400 : 500;
    const prefix = prefixOf(endpointOf(req), req.url);
    return feil(req, reply, status, `${prefix}-${status === 400 ? '006' : '001'}`, status === 400 ? 'Ugyldig forespørsel' : 'Intern feil');
  });
}

function registerControlRoutes(app: FastifyInstance, sandbox: SkatteetatenSandbox): void {
  const control = route('control');
  app.get('/_sandbox/faults', control, async () => sandbox.faults.list());
  app.post('/_sandbox/faults', control, async (req, reply) => {
    try {
      return reply.code(201).send(sandbox.injectFault((req.body ?? {}) as FaultSpec));
    } catch (err) {
      if (err instanceof FaultInjectionError) return reply.code(400).send({ error: err.message });
      throw err;
    }
  });
  app.delete('/_sandbox/faults', control, async (_req, reply) => {
    sandbox.faults.clear();
    return reply.code(204).send();
  });
  app.get('/_sandbox/calls', control, async (req) => {
    const endpoint = (req.query as Record<string, unknown>).endpoint;
    return sandbox.getCalls(typeof endpoint === 'string' ? endpoint : undefined);
  });
  app.delete('/_sandbox/calls', control, async (_req, reply) => {
    sandbox.clearCalls();
    return reply.code(204).send();
  });
  app.post('/_sandbox/clock/advance', control, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    try {
      return { now: sandbox.advanceClock(typeof b.ms === 'number' ? b.ms : NaN) };
    } catch (err) {
      return reply.code(400).send({ error: (err as Error).message });
    }
  });
  // The next answers name another person (or, with null, the one asked for again).
  app.post('/_sandbox/answer-as', control, async (req, reply) => {
    const person = ((req.body ?? {}) as Record<string, unknown>).personidentifikator;
    if (person !== null && (typeof person !== 'string' || !/^\d{11}$/.test(person))) return reply.code(400).send({ error: 'personidentifikator must be 11 digits or null' });
    sandbox.answerAs = person ?? undefined;
    return reply.code(204).send();
  });
  app.post('/_sandbox/reset', control, async (_req, reply) => {
    sandbox.reset();
    return reply.code(204).send();
  });
}

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { endpointOf, trackCalls } from '../../../../sandbox/call-log';
import { CONTROL_ROUTE, registerSandboxControlRoutes } from '../../../../sandbox/control-routes';
import { FaultHook } from '../../../../sandbox/fault-hook';
import { checkAccess } from './skatteetaten-access';
import { incomeFor, taxAssessmentFor } from './skatteetaten-data';
import type { SkatteetatenCallLogEntry, SkatteetatenEndpoint, SkatteetatenSandbox } from './skatteetaten-sandbox.state';

/** Where each API lives under the simulator's base URL (each a configured base URL of its own). */
export const SKATTEETATEN_SANDBOX_PATHS = { taxAssessment: '/summertskattegrunnlag/v2', income: '/inntekt/v1' } as const;

const route = (endpoint: SkatteetatenEndpoint) => ({ config: { endpoint } });
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
  // The shared faults, calls, clock advance and reset; Skatteetaten's simulator never had GET /_sandbox/clock.
  registerSandboxControlRoutes(app, sandbox, { clock: 'advance' });
  // The next answers name another person (or, with null, the one asked for again).
  app.post('/_sandbox/answer-as', CONTROL_ROUTE, async (req, reply) => {
    const person = ((req.body ?? {}) as Record<string, unknown>).personidentifikator;
    if (person !== null && (typeof person !== 'string' || !/^\d{11}$/.test(person))) return reply.code(400).send({ error: 'personidentifikator must be 11 digits or null' });
    sandbox.answerAs = person ?? undefined;
    return reply.code(204).send();
  });
};

function header(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function registerCallLogAndFaults(app: FastifyInstance, sandbox: SkatteetatenSandbox): void {
  const faults = new FaultHook(app);
  // Logged in preHandler as from the start: a call Fastify refuses before the handler is not in the log.
  trackCalls<SkatteetatenCallLogEntry>(
    app,
    {
      phase: 'preHandler',
      log: (entry) => sandbox.logCall(entry),
      describe: (req, endpoint) => {
        const query: Record<string, string> = {};
        for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) if (typeof v === 'string') query[k] = v;
        const auth = req.headers.authorization;
        return {
          time: new Date(sandbox.now()).toISOString(),
          method: req.method,
          endpoint,
          route: req.routeOptions.url ?? '',
          query,
          ...(req.headers.accept ? { accept: req.headers.accept } : {}),
          authorization: !auth ? 'none' : /^Bearer\s/i.test(auth) ? 'Bearer' : 'other',
          altinnSamtykke: req.headers.altinnsamtykke !== undefined,
        };
      },
    },
    entries,
  );
  faults.onTrackedCalls({
    entries,
    injector: sandbox.faults,
    statusAnswer: (req, reply, f, entry) => {
      const status = f.status ?? 500;
      const kode = f.error ?? `${prefixOf(entry.endpoint, req.url)}-${status >= 500 ? '001' : status === 404 ? '008' : status === 403 ? '010' : status === 401 ? '004' : '006'}`;
      return feil(req, reply, status, kode, f.errorDescription ?? 'Feil fra sandkassen');
    },
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? 400 : 500;
    const prefix = prefixOf(endpointOf<SkatteetatenEndpoint>(req), req.url);
    return feil(req, reply, status, `${prefix}-${status === 400 ? '006' : '001'}`, status === 400 ? 'Ugyldig forespørsel' : 'Intern feil');
  });
}

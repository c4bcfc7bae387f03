import Fastify, { type FastifyInstance } from 'fastify';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import { ALTINN3_SCOPES } from '../altinn3/consent-request.types';
import { Altinn3Sandbox, altinn3SandboxPlugin, type Altinn3TokenVerifier } from './altinn3';
import { MaskinportenSandbox, maskinportenSandboxPlugin } from './maskinporten';
import { type AltinnSamtykkeVerifier, SKATTEETATEN_SANDBOX_PATHS, SkatteetatenSandbox, skatteetatenSandboxPlugin } from './skatteetaten';

/** The three simulators of an Altinn consent, wired to each other. */
export interface AltinnSimulators {
  maskinporten: MaskinportenSandbox;
  altinn3: Altinn3Sandbox;
  skatteetaten: SkatteetatenSandbox;
}

export interface AltinnSimulatorOptions {
  /** Our Maskinporten client, its organisation and the public key registered on it. */
  clientId: string;
  orgNumber: string;
  key: { kid: string; publicJwk: JWK };
  /** Altinn holds events back 5 minutes; tests and the sandbox may shorten it. */
  eventHoldBackMs?: number;
  tokenTtlSeconds?: number;
  /** With Altinn 2: Skatteetaten checks `AltinnSamtykke` with it (altinn2SamtykkeVerifier of the Altinn 2 simulator). */
  altinnSamtykke?: AltinnSamtykkeVerifier;
}

const CLIENT_SCOPES = ['skatteetaten:summertskattegrunnlag', 'skatteetaten:inntekt', ALTINN3_SCOPES.write, ALTINN3_SCOPES.read];

/**
 * Maskinporten issues the tokens; Altinn 3 accepts only those (with the call's scope) and answers
 * Maskinporten's consent lookups; Skatteetaten verifies Maskinporten's signature. Set their URLs
 * with `placeAltinnSimulators` once they are reachable.
 */
export function createAltinnSimulators(opts: AltinnSimulatorOptions): AltinnSimulators {
  const maskinporten = new MaskinportenSandbox({
    baseUrl: 'http://127.0.0.1',
    clients: [{ clientId: opts.clientId, orgNumber: opts.orgNumber, scopes: CLIENT_SCOPES, keys: [{ kid: opts.key.kid, key: opts.key.publicJwk }] }],
    tokenTtlSeconds: opts.tokenTtlSeconds,
  });
  const keys = async (...args: Parameters<ReturnType<typeof createLocalJWKSet>>) => createLocalJWKSet({ keys: [await maskinporten.publicJwk()] })(...args);
  const verifyToken: Altinn3TokenVerifier = async (token, scope) => {
    try {
      const { payload } = await jwtVerify(token, keys, { issuer: maskinporten.issuer, currentDate: new Date(maskinporten.now()) });
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      const consumer = /^0192:(\d{9})$/.exec(String((payload.consumer as { ID?: unknown } | undefined)?.ID ?? ''));
      return scopes.includes(scope) && consumer ? { orgNumber: consumer[1] } : undefined;
    } catch {
      return undefined;
    }
  };
  const altinn3 = new Altinn3Sandbox({ baseUrl: 'http://127.0.0.1', verifyToken, eventHoldBackMs: opts.eventHoldBackMs });
  maskinporten.consentLookup = (id) => altinn3.consentView(id);
  const skatteetaten = new SkatteetatenSandbox({ maskinportenIssuer: '', maskinportenKeys: keys, altinnSamtykke: opts.altinnSamtykke });
  return { maskinporten, altinn3, skatteetaten };
}

/** Tells each simulator where it and the others are reached. */
export function placeAltinnSimulators(sims: AltinnSimulators, urls: { maskinporten: string; altinn: string }): void {
  sims.maskinporten.baseUrl = urls.maskinporten.replace(/\/+$/, '');
  sims.altinn3.baseUrl = urls.altinn.replace(/\/+$/, '');
  sims.skatteetaten.maskinportenIssuer = sims.maskinporten.issuer;
}

export interface StartedAltinnSimulators extends AltinnSimulators {
  urls: { maskinporten: string; issuer: string; altinn: string; taxAssessment: string; income: string; skatteetaten: string };
  close(): Promise<void>;
}

/** Each simulator on its own loopback port (0 = ephemeral), for tests and `npm run sandbox`. */
export async function startAltinnSimulators(opts: AltinnSimulatorOptions & { ports?: { maskinporten?: number; altinn?: number; skatteetaten?: number } }): Promise<StartedAltinnSimulators> {
  const sims = createAltinnSimulators(opts);
  const listen = async (register: (app: FastifyInstance) => PromiseLike<unknown>, port = 0) => {
    // No logger: URLs and bodies hold national ids and tokens. forceCloseConnections: timeout faults hold sockets.
    const app = Fastify({ logger: false, forceCloseConnections: true });
    await register(app);
    const url = await app.listen({ port, host: '127.0.0.1' });
    return { app, url: url.replace('localhost', '127.0.0.1') };
  };
  const mp = await listen((app) => app.register(maskinportenSandboxPlugin, { sandbox: sims.maskinporten }), opts.ports?.maskinporten);
  const altinn = await listen((app) => app.register(altinn3SandboxPlugin, { sandbox: sims.altinn3 }), opts.ports?.altinn);
  const ske = await listen((app) => app.register(skatteetatenSandboxPlugin, { sandbox: sims.skatteetaten }), opts.ports?.skatteetaten);
  placeAltinnSimulators(sims, { maskinporten: mp.url, altinn: altinn.url });
  return {
    ...sims,
    urls: {
      maskinporten: mp.url,
      issuer: sims.maskinporten.issuer,
      altinn: altinn.url,
      skatteetaten: ske.url,
      taxAssessment: `${ske.url}${SKATTEETATEN_SANDBOX_PATHS.taxAssessment}`,
      income: `${ske.url}${SKATTEETATEN_SANDBOX_PATHS.income}`,
    },
    close: async () => {
      await Promise.allSettled([mp.app.close(), altinn.app.close(), ske.app.close()]);
    },
  };
}

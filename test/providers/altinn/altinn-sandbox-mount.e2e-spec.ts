import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { createLocalJWKSet } from 'jose';
import { DataCipher } from '../../../src/common/crypto/data-cipher';
import { MetricsService } from '../../../src/metrics/metrics.service';
import { MaskinportenHttpClient } from '../../../src/providers/altinn/maskinporten/maskinporten-http.client';
import { MaskinportenClient } from '../../../src/providers/altinn/maskinporten/maskinporten.client';
import { loadMaskinportenConfig } from '../../../src/providers/altinn/maskinporten/maskinporten.config';
import { MaskinportenSandbox, maskinportenSandboxPlugin } from '../../../src/providers/altinn/sandbox/maskinporten';
import { generateSandboxClientKey } from '../../../src/providers/altinn/sandbox/maskinporten/sandbox-client-keys';
import { SKATTEETATEN_SANDBOX_PATHS, SkatteetatenSandbox, skatteetatenSandboxPlugin } from '../../../src/providers/altinn/sandbox/skatteetaten';
import { loadSkatteetatenConfig } from '../../../src/providers/altinn/skatteetaten/skatteetaten.config';
import { MemoryStateStore } from '../../../src/redis/memory-state.store';

/** How the sandbox runtime mounts both simulators: under prefixes of one server, next to other plugins. */
describe('Maskinporten and Skatteetaten simulators mounted under prefixes of one server', () => {
  let app: FastifyInstance;
  let base: string;
  const key = generateSandboxClientKey();
  const maskinporten = new MaskinportenSandbox({ baseUrl: 'http://127.0.0.1', clients: [{ clientId: 'sandbox-client', orgNumber: '991825827', scopes: ['skatteetaten:inntekt'], keys: [{ kid: key.kid, key: key.publicJwk }] }] });
  const skatteetaten = new SkatteetatenSandbox({
    maskinportenIssuer: '',
    // Resolved per call: the simulator's key is generated asynchronously.
    maskinportenKeys: async (header, token) => createLocalJWKSet({ keys: [await maskinporten.publicJwk()] })(header, token),
  });

  beforeAll(async () => {
    app = Fastify({ logger: false, forceCloseConnections: true });
    app.get('/health', async () => ({ ok: true }));
    await app.register(maskinportenSandboxPlugin, { prefix: '/sandbox/maskinporten', sandbox: maskinporten });
    await app.register(skatteetatenSandboxPlugin, { prefix: '/sandbox/skatteetaten', sandbox: skatteetaten });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    maskinporten.baseUrl = `${base}/sandbox/maskinporten`;
    skatteetaten.maskinportenIssuer = maskinporten.issuer;
  });
  afterAll(() => app.close());

  it('serves a token and data through the prefixes, and keeps unknown URLs of each simulator its own', async () => {
    const loaded = loadMaskinportenConfig({}, { issuer: maskinporten.issuer, clientId: 'sandbox-client', privateKey: key.privateKeyPem, kid: key.kid });
    const ske = loadSkatteetatenConfig({}, { taxAssessmentUrl: `${base}/sandbox/skatteetaten${SKATTEETATEN_SANDBOX_PATHS.taxAssessment}`, incomeUrl: `${base}/sandbox/skatteetaten${SKATTEETATEN_SANDBOX_PATHS.income}` });
    if (!loaded.ok || !ske.ok) throw new Error('config');
    const http = new MaskinportenHttpClient(new MetricsService(), { timeoutMs: 2000 });
    try {
      const token = await new MaskinportenClient(loaded.config, http, new MemoryStateStore(), new DataCipher([randomBytes(32)])).token('skatteetaten:inntekt');
      const response = await fetch(`${ske.config.incomeUrl}/sbl/14842249091/inntekter?fraOgMed=2025-01&tilOgMed=2025-02`, { headers: { authorization: `Bearer ${token}` } });
      // A plain data-scope token without a consent: Skatteetaten's consent refusal, so the token itself was accepted.
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ kode: 'IM-010' });
    } finally {
      await http.close();
    }
    expect((await fetch(`${base}/sandbox/skatteetaten/summertskattegrunnlag/v3/x`)).status).toBe(404);
    expect(await (await fetch(`${base}/sandbox/skatteetaten/nowhere`)).json()).toMatchObject({ kode: 'SSG-003' });
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});

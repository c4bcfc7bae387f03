import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { createLocalJWKSet } from 'jose';
import { DataCipher } from '../../../src/common/crypto/data-cipher';
import { MetricsService } from '../../../src/metrics/metrics.service';
import { Altinn2Clients } from '../../../src/providers/altinn/altinn2/altinn2-clients';
import { ALTINN2_SANDBOX_API_KEY } from '../../../src/providers/altinn/altinn2/altinn2.config';
import { MaskinportenHttpClient } from '../../../src/providers/altinn/maskinporten/maskinporten-http.client';
import { MaskinportenClient } from '../../../src/providers/altinn/maskinporten/maskinporten.client';
import { loadMaskinportenConfig } from '../../../src/providers/altinn/maskinporten/maskinporten.config';
import { Altinn2Sandbox, altinn2SandboxPlugin } from '../../../src/providers/altinn/sandbox/altinn2';
import { MaskinportenSandbox, maskinportenSandboxPlugin } from '../../../src/providers/altinn/sandbox/maskinporten';
import { generateSandboxClientKey } from '../../../src/providers/altinn/sandbox/maskinporten/sandbox-client-keys';
import { altinn2SamtykkeVerifier, SKATTEETATEN_SANDBOX_PATHS, SkatteetatenSandbox, skatteetatenSandboxPlugin } from '../../../src/providers/altinn/sandbox/skatteetaten';
import { IncomeClient } from '../../../src/providers/altinn/skatteetaten/income.client';
import { SkatteetatenHttpClient } from '../../../src/providers/altinn/skatteetaten/skatteetaten-http.client';
import { TaxAssessmentClient } from '../../../src/providers/altinn/skatteetaten/tax-assessment.client';
import { MemoryStateStore } from '../../../src/redis/memory-state.store';
import { answerLink, RESOURCES } from './altinn2-walk';

/** The bank's organisation in sandbox mode: the Altinn 2 simulator registers its ApiKey on it. */
const BANK_ORG = '991825827';
const PERSON = '14842249091';
const LATEST_YEAR = new Date().getUTCFullYear() - 1;

/** How sandbox mode can serve ALTINN_VERSION=2: the three simulators under prefixes of one server, Skatteetaten checking AltinnSamtykke with the Altinn 2 simulator's keys. */
describe('Altinn 2, Maskinporten and Skatteetaten simulators mounted together for ALTINN_VERSION=2', () => {
  let app: FastifyInstance;
  let base: string;
  let altinn2: Altinn2Sandbox;
  const key = generateSandboxClientKey();
  const maskinporten = new MaskinportenSandbox({ baseUrl: 'http://127.0.0.1', clients: [{ clientId: 'sandbox-client', orgNumber: BANK_ORG, scopes: ['skatteetaten:summertskattegrunnlag', 'skatteetaten:inntekt'], keys: [{ kid: key.kid, key: key.publicJwk }] }] });
  const metrics = new MetricsService();
  const https = [new MaskinportenHttpClient(metrics, { timeoutMs: 2000 }), new SkatteetatenHttpClient(metrics, { timeoutMs: 2000 })] as const;

  beforeAll(async () => {
    altinn2 = await Altinn2Sandbox.create({ apiKeys: { [ALTINN2_SANDBOX_API_KEY]: BANK_ORG } });
    const skatteetaten = new SkatteetatenSandbox({
      maskinportenIssuer: '',
      maskinportenKeys: async (header, token) => createLocalJWKSet({ keys: [await maskinporten.publicJwk()] })(header, token),
      altinnSamtykke: altinn2SamtykkeVerifier(altinn2.verifyConsentToken),
    });
    app = Fastify({ logger: false, forceCloseConnections: true });
    await app.register(altinn2SandboxPlugin, { prefix: '/sandbox/altinn2', sandbox: altinn2 });
    await app.register(maskinportenSandboxPlugin, { prefix: '/sandbox/maskinporten', sandbox: maskinporten });
    await app.register(skatteetatenSandboxPlugin, { prefix: '/sandbox/skatteetaten', sandbox: skatteetaten });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    maskinporten.baseUrl = `${base}/sandbox/maskinporten`;
    skatteetaten.maskinportenIssuer = maskinporten.issuer;
  });
  afterAll(async () => {
    await Promise.all(https.map((h) => h.close()));
    await app.close();
  });

  it('walks link → consent page → verified token → tax assessment with AltinnSamtykke', async () => {
    const altinn2Url = `${base}/sandbox/altinn2`;
    const mp = loadMaskinportenConfig({}, { issuer: maskinporten.issuer, clientId: 'sandbox-client', privateKey: key.privateKeyPem, kid: key.kid });
    if (!mp.ok) throw new Error('config');
    const skeBase = `${base}/sandbox/skatteetaten`;
    const altinn2Clients = new Altinn2Clients({
      altinn2: { url: altinn2Url, apiKey: ALTINN2_SANDBOX_API_KEY, resources: RESOURCES },
      orgNumber: BANK_ORG,
      redirectUri: `${base}/v1/consent-flows/callback/altinn`,
      timeoutMs: 2000,
      metrics,
      maskinporten: new MaskinportenClient(mp.config, https[0], new MemoryStateStore(), new DataCipher([randomBytes(32)])),
      taxAssessment: new TaxAssessmentClient({ taxAssessmentUrl: `${skeBase}${SKATTEETATEN_SANDBOX_PATHS.taxAssessment}` }, https[1]),
      income: new IncomeClient({ incomeUrl: `${skeBase}${SKATTEETATEN_SANDBOX_PATHS.income}` }, https[1]),
    });
    const { starter, collector } = altinn2Clients;
    const parameters = { incomeYear: LATEST_YEAR };
    const started = await starter.start({ flowId: 'f', dataset: 'tax-assessment', nationalId: PERSON, parameters, durationDays: 10, message: undefined, purpose: undefined, state: 'sandbox-state-0123456789', expiresAt: new Date(), requestId: 'r' });
    const answer = await answerLink(started.authorizationUrl, PERSON, 'approve');
    expect(answer.location.pathname).toBe('/v1/consent-flows/callback/altinn');
    const token = await collector.consentToken('tax-assessment', answer.authorizationCode!, parameters, (offeredBy) => offeredBy === PERSON);
    const fetched = await collector.fetch('tax-assessment', parameters, token);
    expect(fetched).toMatchObject({ kind: 'found', persons: [PERSON], data: { inntektsaar: String(LATEST_YEAR) } });
    await altinn2Clients.onApplicationShutdown();
  });
});

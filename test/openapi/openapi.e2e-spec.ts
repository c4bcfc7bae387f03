import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Scope } from '../../src/auth/caller';
import { PROBLEM_CODES } from '../../src/common/problem';
import { REQUIRED_SCOPES_EXTENSION, serializeOpenApiDocument } from '../../src/openapi/openapi-document';
import { StateStore } from '../../src/redis/state-store';
import { startNogiSandbox, StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { consentAtNogi, followCallback } from '../support/consent-walk';
import { OTHER_PERSON_WITH_DEBT, PERSON_WITH_DEBT } from '../support/national-ids';
import { eventually } from '../support/tcp-proxy';
import { startTestApp, TEST_CLIENT, TEST_RETURN_ORIGIN, TestApp } from '../support/test-app';

type ClientModule = typeof import('../../openapi/client/src');

const ROOT = join(__dirname, '..', '..');
const DOCUMENT_FILE = join(ROOT, 'openapi', 'openapi.json');
const CLIENT_DIR = join(ROOT, 'openapi', 'client');
const REDIRECT_URI = 'http://127.0.0.1:3000/v1/consent-flows/callback';

/** The contract's routes (../shared/product/api.md): operationId and the scopes it accepts (null: public). */
const CONTRACT: Record<string, [operationId: string, scopes: Scope[] | null]> = {
  'POST /v1/consent-flows': ['startConsentFlow', ['consent:write']],
  'GET /v1/consent-flows/callback': ['completeConsentFlow', null],
  'GET /v1/consent-flows/{id}': ['getConsentFlow', ['consent:read']],
  'GET /v1/consent-flows/{id}/debt': ['getConsentFlowDebt', ['debt:read']],
  'POST /v1/consents': ['registerConsent', ['consent:write']],
  'GET /v1/consents': ['listConsents', ['consent:read']],
  'GET /v1/consents/{id}': ['getConsent', ['consent:read']],
  'DELETE /v1/consents/{id}': ['revokeConsent', ['consent:admin', 'consent:write']],
  'GET /v1/consents/{id}/debt': ['getConsentDebt', ['debt:read']],
  'GET /v1/consents/{id}/accounts': ['getConsentAccounts', ['accounts:read']],
  'GET /v1/consents/{id}/accounts/{accountId}/transactions': ['getConsentAccountTransactions', ['accounts:read']],
  'GET /v1/consent-flows/callback/altinn': ['completeAltinnConsentFlow', null],
  'GET /v1/consent-flows/{id}/tax-assessment': ['getConsentFlowTaxAssessment', ['income:read']],
  'GET /v1/consent-flows/{id}/income': ['getConsentFlowIncome', ['income:read']],
  'GET /v1/consents/{id}/tax-assessment': ['getConsentTaxAssessment', ['income:read']],
  'GET /v1/consents/{id}/income': ['getConsentIncome', ['income:read']],
  'GET /health/live': ['getLiveness', null],
  'GET /health/ready': ['getReadiness', null],
  'GET /metrics': ['getMetrics', null],
  'GET /docs': ['getApiDocs', null],
  'GET /docs/openapi.json': ['getOpenApiDocument', null],
  'GET /docs/openapi.yaml': ['getOpenApiDocumentYaml', null],
};

interface Operation {
  operationId?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  responses: Record<string, { content?: Record<string, { schema?: unknown }>; headers?: Record<string, unknown> }>;
  [REQUIRED_SCOPES_EXTENSION]?: string[];
}
type Document = { paths: Record<string, Record<string, Operation>> };

function operations(document: Document): Map<string, Operation> {
  const all = new Map<string, Operation>();
  for (const [path, item] of Object.entries(document.paths))
    for (const [method, operation] of Object.entries(item)) if (method !== 'parameters') all.set(`${method.toUpperCase()} ${path}`, operation);
  return all;
}

/** Every method and path Fastify routes, from its route tree (`printRoutes({ commonPrefix: false })`). */
function registeredRoutes(fastify: FastifyInstance): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of fastify.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    stack.length = depth;
    stack.push(match[2]);
    const path = stack.join('').replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) if (method !== 'HEAD' && method !== 'OPTIONS') routes.push(`${method} ${path}`);
  }
  return routes;
}

/** The client exactly as another service gets it: built, packed with npm, installed from the tarball. */
function installClient(): { module: ClientModule; files: string[]; consumer: string } {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(CLIENT_DIR, 'tsconfig.json')], { stdio: 'inherit' });
  const consumer = mkdtempSync(join(tmpdir(), 'nogi-bff-client-'));
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', consumer], { cwd: CLIENT_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [{ filename, files }] = JSON.parse(packed) as Array<{ filename: string; files: Array<{ path: string }> }>;
  execFileSync('tar', ['-xzf', join(consumer, filename), '-C', consumer]);
  const installed = join(consumer, 'node_modules', '@bank', 'nogi-consent-bff-client');
  mkdirSync(dirname(installed), { recursive: true });
  renameSync(join(consumer, 'package'), installed);
  // Its one runtime dependency, as `npm install` would place it (the registry is not needed for that).
  symlinkSync(dirname(require.resolve('openapi-fetch/package.json')), join(consumer, 'node_modules', 'openapi-fetch'), 'dir');
  const module = createRequire(join(consumer, 'consumer.js'))('@bank/nogi-consent-bff-client') as ClientModule;
  return { module, files: files.map((f) => f.path).sort(), consumer };
}

describe('the OpenAPI document and the generated client', () => {
  let nogi: StartedNogiSandbox;
  let app: TestApp;
  let client: ClientModule;
  let packedFiles: string[];
  let consumer: string | undefined;
  let served: Document;

  beforeAll(async () => {
    ({ module: client, files: packedFiles, consumer } = installClient());
    nogi = await startNogiSandbox({ port: 0, clients: [{ clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret, redirectUris: [REDIRECT_URI] }] });
    app = await startTestApp({ nogiUrl: nogi.url });
    await eventually(
      () => app.app.get(StateStore).ping().then(() => true, () => false),
      (ok) => ok,
      5000,
    );
    served = (await (await fetch(`${app.url}/docs/openapi.json`)).json()) as Document;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await nogi?.close();
    if (consumer) rmSync(consumer, { recursive: true, force: true });
  });

  describe('the document', () => {
    it('is served at /docs/openapi.json exactly as committed in openapi/openapi.json', () => {
      expect(serializeOpenApiDocument(served as never)).toBe(readFileSync(DOCUMENT_FILE, 'utf8'));
    });

    it("names every route of the contract, and nothing else, with the contract's operationId and scopes", () => {
      const documented = operations(served);
      expect([...documented.keys()].sort()).toEqual(Object.keys(CONTRACT).sort());
      for (const [route, [operationId, scopes]] of Object.entries(CONTRACT)) {
        const operation = documented.get(route)!;
        expect({ route, operationId: operation.operationId }).toEqual({ route, operationId });
        if (scopes === null) {
          expect({ route, security: operation.security }).toEqual({ route, security: [] });
          expect(operation[REQUIRED_SCOPES_EXTENSION]).toBeUndefined();
        } else {
          expect({ route, security: operation.security }).toEqual({ route, security: [{ bearer: [] }] });
          expect({ route, scopes: [...(operation[REQUIRED_SCOPES_EXTENSION] ?? [])].sort() }).toEqual({ route, scopes: [...scopes].sort() });
        }
      }
    });

    it('documents every /v1 route the application registers, each with problem+json answers naming only real codes', () => {
      const fastify = app.app.getHttpAdapter().getInstance() as FastifyInstance;
      const registered = registeredRoutes(fastify).filter((r) => r.split(' ')[1].startsWith('/v1/'));
      expect(registered.length).toBeGreaterThanOrEqual(9);
      const documented = operations(served);
      for (const route of registered) {
        const operation = documented.get(route);
        expect({ route, documented: operation !== undefined }).toEqual({ route, documented: true });
        const problems = Object.entries(operation!.responses).filter(([status]) => Number(status) >= 400);
        expect({ route, problems: problems.length > 0 }).toEqual({ route, problems: true });
        for (const [status, response] of problems) {
          expect({ route, status, media: Object.keys(response.content ?? {}) }).toEqual({ route, status, media: ['application/problem+json'] });
          const codes = JSON.stringify(response.content!['application/problem+json'].schema).match(/"enum":\[([^\]]*)\]/)?.[1];
          expect({ route, status, codes: codes !== undefined }).toEqual({ route, status, codes: true });
          for (const code of JSON.parse(`[${codes}]`) as string[]) expect(PROBLEM_CODES[code as keyof typeof PROBLEM_CODES]?.status).toBe(Number(status));
        }
        if (operation!.security?.length) expect({ route, statuses: Object.keys(operation!.responses).filter((s) => s === '401' || s === '403') }).toEqual({ route, statuses: ['401', '403'] });
      }
      // …and everything documented is really routed.
      for (const route of documented.keys()) {
        const [method, path] = route.split(' ');
        expect({ route, routed: fastify.hasRoute({ method: method as 'GET', url: path.replace(/\{([^}]+)\}/g, ':$1') }) }).toEqual({ route, routed: true });
      }
    });

    it("documents the callback's query parameters, its 303 and the national id and idempotency headers", () => {
      const documented = operations(served);
      const names = (route: string, where: string) => (documented.get(route)!.parameters ?? []).filter((p) => p.in === where).map((p) => p.name);
      expect(names('GET /v1/consent-flows/callback', 'query').sort()).toEqual(['code', 'error', 'error_description', 'scope', 'state']);
      expect(documented.get('GET /v1/consent-flows/callback')!.responses['303'].headers).toHaveProperty('Location');
      expect(names('GET /v1/consents', 'header')).toEqual(['X-National-Id']);
      expect(names('POST /v1/consents', 'header')).toEqual(['Idempotency-Key']);
    });
  });

  describe('the client', () => {
    it('is an npm package with its compiled code, type declarations and README', () => {
      expect(packedFiles).toEqual(expect.arrayContaining(['README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/schema.d.ts']));
    });

    it('walks a consent flow, registers a consent, lists it by national id, reads debt and revokes, against the NoGi sandbox', async () => {
      let tokensAsked = 0;
      const bff = client.createNogiConsentBffClient({
        baseUrl: app.url,
        token: () => {
          tokensAsked += 1;
          return app.issuer.service(['consent:write', 'consent:read', 'debt:read', 'consent:admin']);
        },
      });

      // A flow: the API part through the client, NoGi's consent page as the customer's browser.
      const started = await bff.startConsentFlow({ nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 30, returnUrl: `${TEST_RETURN_ORIGIN}/done` });
      expect(started).toMatchObject({ id: expect.any(String), durationDays: 30, scope: 'debt.unsecured.presentation.30 openid' });
      const callback = await followCallback(await consentAtNogi(app, started.authorizationUrl, { nationalId: PERSON_WITH_DEBT }));
      expect(callback.status).toBe(303);
      const flow = await bff.getConsentFlow(started.id);
      expect(flow).toMatchObject({ id: started.id, status: 'completed', purpose: 'presentation', durationDays: 30 });
      const flowDebt = await bff.getConsentFlowDebt(started.id);
      expect(flowDebt.consent.id).toBe(flow.consentId);
      // The union on `type` narrows in the client's types: each variant's own fields, amounts in øre.
      const balances = flowDebt.loans.map(({ loan }) => {
        if (loan === null) return null;
        switch (loan.type) {
          case 'repaymentLoan':
            return loan.balance;
          case 'creditFacility':
            return loan.interestBearingBalance + loan.nonInterestBearingBalance;
          case 'chargeCard':
            return loan.interestBearingBalance + loan.nonInterestBearingBalance;
        }
      });
      expect(balances.some((b) => b === null)).toBe(true);
      for (const b of balances) if (b !== null) expect(Number.isInteger(b)).toBe(true);

      // A consent captured in the bank's own channel.
      const idempotencyKey = randomUUID();
      const registered = await bff.registerConsent({ nationalId: OTHER_PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 90, clientConsentId: `client-${randomUUID()}` }, { idempotencyKey });
      expect(registered).toMatchObject({ status: 'active', source: 'agreement', purpose: 'presentation' });
      expect(await bff.registerConsent({ nationalId: OTHER_PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 90, clientConsentId: registered.clientConsentId }, { idempotencyKey })).toEqual(registered);

      const listed = await bff.listConsents({ nationalId: OTHER_PERSON_WITH_DEBT, status: 'active', limit: 100 });
      expect(listed.items.map((c) => c.id)).toContain(registered.id);
      expect(await bff.getConsent(registered.id)).toEqual(registered);

      const debt = await bff.getConsentDebt(registered.id);
      expect(debt.consent.id).toBe(registered.id);
      expect(JSON.stringify(debt)).not.toContain(OTHER_PERSON_WITH_DEBT);

      expect(await bff.revokeConsent(registered.id)).toEqual({ outcome: 'revoked' });
      expect((await bff.getConsent(registered.id)).status).toBe('revoked');
      expect(tokensAsked).toBeGreaterThanOrEqual(10);

      // A revoked consent's debt is a 410 problem, thrown as the typed error with its code.
      const gone = await bff.getConsentDebt(registered.id).catch((e: unknown) => e);
      expect(gone).toBeInstanceOf(client.NogiConsentBffError);
      expect(gone).toMatchObject({ status: 410, code: 'CONSENT_NOT_ACTIVE', requestId: expect.any(String) });
    });

    it('throws problem+json answers as NogiConsentBffError with status, code, title, requestId and field errors', async () => {
      const bff = client.createNogiConsentBffClient({ baseUrl: app.url, token: await app.issuer.service(['consent:read', 'consent:write']) });

      const missing = await bff.getConsent(randomUUID()).catch((e: unknown) => e);
      expect(client.NogiConsentBffError.is(missing, 'CONSENT_NOT_FOUND')).toBe(true);
      expect(missing).toMatchObject({ status: 404, title: PROBLEM_CODES.CONSENT_NOT_FOUND.title, requestId: expect.any(String) });

      const invalid = await bff.registerConsent({ nationalId: OTHER_PERSON_WITH_DEBT, purpose: 'processing', durationDays: 0 }).catch((e: unknown) => e);
      expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: expect.arrayContaining([expect.objectContaining({ field: 'durationDays' })]) });

      const forbidden = await bff.getConsentDebt(randomUUID()).catch((e: unknown) => e);
      expect(forbidden).toMatchObject({ status: 403, code: 'INSUFFICIENT_SCOPE' });

      const anonymous = client.createNogiConsentBffClient({ baseUrl: app.url, token: 'not-a-jwt' });
      await expect(anonymous.listConsents()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    });
  });
});

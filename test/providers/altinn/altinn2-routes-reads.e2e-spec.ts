import { setTimeout as sleep } from 'node:timers/promises';
import { PERSON_WITH_DEBT } from '../../support/national-ids';
import type { TestApp } from '../../support/test-app';
import { api } from '../../consents/consents.helpers';
import { flowOf, INCOME_BODY, returned, TAX_BODY } from './altinn-app.helpers';
import { type Altinn2World, answerAtAltinn2, closeAltinn2World, resetAltinn2World, start2Flow, startAltinn2App, startAltinn2World } from './altinn2-app.helpers';
import { control } from './altinn2-walk';

/** An Altinn 2 consent read again by consent through the routes: a fresh 30-second token each time, until ValidToDate. */
describe('Altinn 2 consents read later through the routes (ALTINN_VERSION=2)', () => {
  let world: Altinn2World;
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    world = await startAltinn2World();
    app = await startAltinn2App(world);
    token = await app.issuer.service(['consent:write', 'consent:read', 'income:read']);
  });
  afterAll(async () => {
    await app?.close();
    await closeAltinn2World(world);
  });
  beforeEach(() => resetAltinn2World(world));

  const tokenCalls = () => world.altinn2.sandbox.getCalls('token').length;
  const jwksCalls = () => world.altinn2.sandbox.getCalls('jwks').length;
  const upstreamCalls = () => tokenCalls() + world.sims.skatteetaten.getCalls().length + world.sims.maskinporten.getCalls().length;
  const nowSeconds = () => Math.floor(world.altinn2.sandbox.now() / 1000);

  /** A consent from a completed flow; returns its id. */
  async function granted(body: Record<string, unknown> = INCOME_BODY): Promise<string> {
    const flow = await start2Flow(app, token, PERSON_WITH_DEBT, body);
    const { callback } = await answerAtAltinn2(app, flow, PERSON_WITH_DEBT);
    expect(returned(callback).flowStatus).toBe('completed');
    return (await flowOf(app, token, flow.id)).json.consentId as string;
  }
  const readIncome = (id: string) => api(app, 'GET', `/v1/consents/${id}/income`, { token });

  it('re-reads after 30 s with a fresh token, and past ValidToDate answers 410 without any upstream call', async () => {
    // The customer's consent at Altinn 2 ends 40 s from now (the token's ValidToDate): ours ends with it.
    await control(world.altinn2.url, 'token-tamper', { claims: { ValidToDate: nowSeconds() + 40 } });
    const id = await granted();
    const consent = await api(app, 'GET', `/v1/consents/${id}`, { token });
    expect(Math.abs(Date.parse(consent.json.expiresAt) - (Date.now() + 40_000))).toBeLessThan(5_000);
    const callbackToken = world.altinn2.sandbox.getCalls('token').at(-1)!;

    // Past the 30 s the callback's token lived: the read asks Altinn 2 for a new one and Skatteetaten accepts it.
    await sleep(31_000);
    const later = await readIncome(id);
    expect(later.status).toBe(200);
    expect(later.json.oppgaveInntektsmottaker.length).toBeGreaterThan(0);
    const tokens = world.altinn2.sandbox.getCalls('token');
    expect(tokens).toHaveLength(2);
    expect(Date.parse(tokens[1].time) - Date.parse(callbackToken.time)).toBeGreaterThanOrEqual(30_000);
    expect(world.sims.skatteetaten.getCalls('inntekt').map((c) => [c.altinnSamtykke, c.status])).toEqual([
      [true, 200],
      [true, 200],
    ]);

    // Past ValidToDate: over here without asking Altinn 2, Maskinporten or Skatteetaten.
    await sleep(Math.max(0, Date.parse(consent.json.expiresAt) - Date.now()) + 500);
    const before = upstreamCalls();
    const ended = await readIncome(id);
    expect([ended.status, ended.json.code]).toEqual([410, 'CONSENT_NOT_ACTIVE']);
    expect(upstreamCalls()).toBe(before);
    expect((await api(app, 'GET', `/v1/consents/${id}`, { token })).json.status).toBe('expired');
  }, 90_000);

  it("follows Altinn 2's key rotation: the published secondary is used without a refetch, a key never seen is fetched once", async () => {
    const id = await granted(TAX_BODY);
    const read = () => api(app, 'GET', `/v1/consents/${id}/tax-assessment`, { token });
    const fetched = jwksCalls();
    // Rotation: the secondary (published all along) becomes the primary that signs.
    await control(world.altinn2.url, 'keys/rotate');
    expect((await read()).status).toBe(200);
    expect(jwksCalls()).toBe(fetched);
    // Again: now tokens are signed by a key our cached set has never held → one refetch, then it verifies.
    await control(world.altinn2.url, 'keys/rotate');
    expect((await read()).status).toBe(200);
    expect(jwksCalls()).toBe(fetched + 1);
    expect((await read()).status).toBe(200);
    expect(jwksCalls()).toBe(fetched + 1);
  });

  it('ends the consent (410) when Altinn 2 no longer gives tokens for the code, and ?refresh=true shows it', async () => {
    const id = await granted();
    // Withdrawn at Altinn 2: its token endpoint refuses the code (403).
    await control(world.altinn2.url, 'faults', { endpoint: 'token', kind: 'status', status: 403 });
    const refreshed = await api(app, 'GET', `/v1/consents/${id}?refresh=true`, { token });
    expect([refreshed.status, refreshed.json.status]).toEqual([200, 'archived']);
    expect([(await readIncome(id)).status]).toEqual([410]);
  });
});

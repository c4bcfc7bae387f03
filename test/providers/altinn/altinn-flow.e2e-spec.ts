import { ALTINN_CLIENTS, type AltinnClients } from '../../../src/providers/altinn/altinn-clients';
import { personUrn } from '../../../src/providers/altinn/altinn3/consent-request.mapping';
import { followCallback } from '../../support/consent-walk';
import { freshNationalId, OTHER_PERSON_WITH_DEBT, PERSON_WITH_DEBT } from '../../support/national-ids';
import { TEST_RETURN_ORIGIN, type TestApp } from '../../support/test-app';
import { api } from '../../consents/consents.helpers';
import { answerConsentPage } from './altinn3.helpers';
import { type AltinnWorld, consentAtAltinn, flowOf, INCOME_BODY, returned, startAltinnApp, startAltinnFlow, startAltinnWorld, TAX_BODY, toApp } from './altinn-app.helpers';

/** Tax assessment and income through Altinn 3, Maskinporten and Skatteetaten, all over real HTTP. */
describe('Altinn consent flows', () => {
  let world: AltinnWorld;
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    world = await startAltinnWorld();
    app = await startAltinnApp(world);
    token = await app.issuer.service(['consent:write', 'consent:read', 'income:read', 'debt:read', 'consent:admin']);
  });
  afterAll(async () => {
    await app?.close();
    await world?.sims.close();
  });
  afterEach(() => {
    world.sims.skatteetaten.faults.clear();
    world.sims.altinn3.faults.clear();
    world.sims.maskinporten.faults.clear();
  });

  it('collects income end to end: consent page, callback, flow data, and again by consent', async () => {
    const flow = await startAltinnFlow(app, token, PERSON_WITH_DEBT);
    expect(flow).toMatchObject({ provider: 'altinn', scope: 'ske-samtykke-sbl-inntekt', durationDays: 30 });
    const sent = world.sims.altinn3.request(flow.requestId)!;
    expect(sent).toMatchObject({ from: personUrn(PERSON_WITH_DEBT), to: 'urn:altinn:organization:identifier-no:974760673' });
    expect(sent.consentRights[0].metadata).toEqual({ fraogmed: '2026-01', tilogmed: '2026-06' });
    expect(sent.requestMessage).toBeUndefined();
    expect(sent.validTo - Date.now()).toBeGreaterThan(29.9 * 86_400_000);

    const { callback } = await consentAtAltinn(app, flow);
    expect(returned(callback)).toEqual({ status: 303, flowStatus: 'completed', origin: TEST_RETURN_ORIGIN });
    const read = await flowOf(app, token, flow.id);
    expect(read.json).toMatchObject({ status: 'completed', dataset: 'income', provider: 'altinn', consentId: flow.requestId });

    const data = await api(app, 'GET', `/v1/consent-flows/${flow.id}/income`, { token });
    expect(data.status).toBe(200);
    expect(data.json.oppgaveInntektsmottaker.length).toBeGreaterThan(0);
    expect(JSON.stringify(data.json)).not.toContain(PERSON_WITH_DEBT);

    const consent = await api(app, 'GET', `/v1/consents/${flow.requestId}`, { token });
    expect(consent.json).toMatchObject({ provider: 'altinn', dataset: 'income', source: 'flow', status: 'active', purpose: 'processing', parameters: { fromMonth: '2026-01', toMonth: '2026-06' } });
    expect(Date.parse(consent.json.expiresAt)).toBe(Math.floor(sent.validTo / 1000) * 1000);
    const again = await api(app, 'GET', `/v1/consents/${flow.requestId}/income`, { token });
    expect([again.status, again.json]).toEqual([200, data.json]);
    // The consent token of the callback is reused; Skatteetaten saw only bearer tokens.
    expect(world.sims.skatteetaten.getCalls('inntekt').every((c) => c.authorization === 'Bearer' && !c.altinnSamtykke)).toBe(true);
  });

  it('collects a tax assessment, sending the customer message to Altinn when there is one', async () => {
    const flow = await startAltinnFlow(app, token, OTHER_PERSON_WITH_DEBT, { ...TAX_BODY, message: 'Lånesøknad 42' });
    expect(flow.scope).toBe('ske-samtykke-sbl-summert-skattegrunnlag');
    expect(world.sims.altinn3.request(flow.requestId)).toMatchObject({ requestMessage: { nb: 'Lånesøknad 42' }, consentRights: [expect.objectContaining({ metadata: { inntektsaar: '2025' } })] });
    const { callback } = await consentAtAltinn(app, flow);
    expect(returned(callback).flowStatus).toBe('completed');
    const data = await api(app, 'GET', `/v1/consent-flows/${flow.id}/tax-assessment`, { token });
    expect(data.status).toBe(200);
    expect(data.json).toMatchObject({ inntektsaar: '2025', stadie: 'oppgjoer' });
    expect(data.json).not.toHaveProperty('personidentifikator');
    const byConsent = await api(app, 'GET', `/v1/consents/${flow.requestId}/tax-assessment`, { token });
    expect([byConsent.status, byConsent.json]).toEqual([200, data.json]);
  });

  it('ends a flow the customer refused at Altinn as denied, with nothing recorded', async () => {
    const flow = await startAltinnFlow(app, token, freshNationalId());
    const { callback } = await consentAtAltinn(app, flow, 'deny');
    expect(returned(callback).flowStatus).toBe('denied');
    expect((await flowOf(app, token, flow.id)).json).toMatchObject({ status: 'denied', error: 'consent_denied' });
    expect((await api(app, 'GET', `/v1/consents/${flow.requestId}`, { token })).status).toBe(404);
  });

  it('never trusts Status=OK: a request still waiting at Altinn fails the flow as not accepted', async () => {
    const flow = await startAltinnFlow(app, token, freshNationalId());
    const state = new URL(world.sims.altinn3.request(flow.requestId)!.redirectUrl).searchParams.get('state')!;
    const grants = world.sims.maskinporten.getCalls('token').length;
    const callback = await followCallback(`${app.url}/v1/consent-flows/callback/altinn?state=${encodeURIComponent(state)}&Status=OK`);
    expect(returned(callback).flowStatus).toBe('failed');
    expect((await flowOf(app, token, flow.id)).json).toMatchObject({ status: 'failed', error: 'consent_not_accepted' });
    expect(world.sims.maskinporten.getCalls('token').slice(grants).filter((c) => c.assertion?.consentGrant)).toHaveLength(0);
  });

  it('takes a state once: a replay or a tampered state is a 400 page, with no call to Altinn', async () => {
    const flow = await startAltinnFlow(app, token, freshNationalId());
    const answer = await answerConsentPage(flow.authorizationUrl, 'approve');
    const callbackUrl = toApp(app, answer.location!);
    const tampered = callbackUrl.replace(/state=([^&]+)/, (_, s: string) => `state=${s.slice(0, -2)}xx`);
    const gets = () => world.sims.altinn3.getCalls('consentRequestGet').length;
    const before = gets();
    const bad = await followCallback(tampered);
    expect([bad.status, bad.headers['content-type']]).toEqual([400, 'text/html; charset=utf-8']);
    expect(gets()).toBe(before);
    expect(returned(await followCallback(callbackUrl)).flowStatus).toBe('completed');
    const replay = await followCallback(callbackUrl, 'application/json');
    expect([replay.status, (replay.json as { code: string }).code]).toEqual([400, 'INVALID_STATE']);
    expect(gets()).toBe(before + 1);
  });

  it('refuses a consent token for another person: the flow fails, the consent is recorded revoked, no data is kept', async () => {
    const other = freshNationalId();
    const mp = world.sims.maskinporten;
    const issue = mp.issueToken.bind(mp);
    mp.issueToken = (input) => issue(input.consent ? { ...input, consent: { ...input.consent, from: personUrn(other) } } : input);
    try {
      const flow = await startAltinnFlow(app, token, freshNationalId());
      const { callback } = await consentAtAltinn(app, flow);
      expect(returned(callback).flowStatus).toBe('failed');
      expect((await flowOf(app, token, flow.id)).json).toMatchObject({ status: 'failed', error: 'identity_mismatch' });
      expect((await api(app, 'GET', `/v1/consent-flows/${flow.id}/income`, { token })).json.code).toBe('FLOW_NOT_COMPLETED');
      expect((await api(app, 'GET', `/v1/consents/${flow.requestId}`, { token })).json).toMatchObject({ status: 'revoked' });
      expect(world.sims.skatteetaten.getCalls().some((c) => c.time >= new Date(world.sims.altinn3.request(flow.requestId)!.consented!).toISOString())).toBe(false);
    } finally {
      mp.issueToken = issue;
    }
  });

  it('fails the flow as not accepted when Maskinporten refuses the consent grant', async () => {
    const mp = world.sims.maskinporten;
    const lookup = mp.consentLookup;
    mp.consentLookup = () => undefined;
    try {
      const flow = await startAltinnFlow(app, token, freshNationalId());
      const { callback } = await consentAtAltinn(app, flow);
      expect(returned(callback).flowStatus).toBe('failed');
      expect((await flowOf(app, token, flow.id)).json).toMatchObject({ status: 'failed', error: 'consent_not_accepted' });
      // Accepted at Altinn but unusable here: recorded revoked, never used.
      expect((await api(app, 'GET', `/v1/consents/${flow.requestId}`, { token })).json.status).toBe('revoked');
    } finally {
      mp.consentLookup = lookup;
    }
  });

  it('completes a flow when Skatteetaten has no data, and its reads answer 404 NO_DATA', async () => {
    const flow = await startAltinnFlow(app, token, PERSON_WITH_DEBT, { dataset: 'tax-assessment', incomeYear: 2021 });
    expect(returned((await consentAtAltinn(app, flow)).callback).flowStatus).toBe('completed');
    const byFlow = await api(app, 'GET', `/v1/consent-flows/${flow.id}/tax-assessment`, { token });
    expect([byFlow.status, byFlow.json.code]).toEqual([404, 'NO_DATA']);
    const byConsent = await api(app, 'GET', `/v1/consents/${flow.requestId}/tax-assessment`, { token });
    expect([byConsent.status, byConsent.json.code]).toEqual([404, 'NO_DATA']);
  });

  /** An income consent the customer gave at Altinn, recorded through the flow's callback: its id. */
  async function incomeConsentGiven(): Promise<string> {
    const flow = await startAltinnFlow(app, token, PERSON_WITH_DEBT, INCOME_BODY);
    await consentAtAltinn(app, flow);
    return flow.requestId;
  }

  describe('reading again by consent', () => {
    let consentId: string;
    beforeAll(async () => {
      consentId = await incomeConsentGiven();
    });

    it('answers 503 SKATTEETATEN_UNAVAILABLE when Skatteetaten fails, and 504 within the timeout when it hangs', async () => {
      world.sims.skatteetaten.injectFault({ endpoint: 'inntekt', kind: 'status', status: 500 });
      const failed = await api(app, 'GET', `/v1/consents/${consentId}/income`, { token });
      expect([failed.status, failed.json.code]).toEqual([503, 'SKATTEETATEN_UNAVAILABLE']);
      world.sims.skatteetaten.faults.clear();
      world.sims.skatteetaten.injectFault({ endpoint: 'inntekt', kind: 'timeout' });
      const started = Date.now();
      const slow = await api(app, 'GET', `/v1/consents/${consentId}/income`, { token });
      expect([slow.status, slow.json.code]).toEqual([504, 'SKATTEETATEN_TIMEOUT']);
      expect(Date.now() - started).toBeLessThan(1500 + 1000);
    });

    it('passes a consent error on when Altinn still holds the consent, and answers 410 once Altinn says it was withdrawn', async () => {
      world.sims.skatteetaten.injectFault({ endpoint: 'inntekt', kind: 'status', status: 403, times: 1 });
      const refused = await api(app, 'GET', `/v1/consents/${consentId}/income`, { token });
      expect([refused.status, refused.json.code]).toEqual([502, 'SKATTEETATEN_REJECTED']);
      expect((await api(app, 'GET', `/v1/consents/${consentId}`, { token })).json.status).toBe('active');

      world.sims.altinn3.act(consentId, 'revoke');
      world.sims.skatteetaten.injectFault({ endpoint: 'inntekt', kind: 'status', status: 403, times: 1 });
      const gone = await api(app, 'GET', `/v1/consents/${consentId}/income`, { token });
      expect([gone.status, gone.json.code]).toEqual([410, 'CONSENT_NOT_ACTIVE']);
      expect((await api(app, 'GET', `/v1/consents/${consentId}`, { token })).json.status).toBe('archived');
    });
  });

  describe('Skatteetaten answering 401 to the consent token', () => {
    let consentId: string;
    beforeAll(async () => {
      consentId = await incomeConsentGiven();
    });

    const readIncome = () => api(app, 'GET', `/v1/consents/${consentId}/income`, { token });
    /** Consent-token grants Maskinporten gave for this consent. */
    const grants = () => world.sims.maskinporten.getCalls('token').filter((c) => c.status === 200 && c.assertion?.consentGrant && c.assertion.consentId === consentId).length;
    const incomeCalls = () => world.sims.skatteetaten.getCalls('inntekt');

    it('drops the refused token and reads once more with a freshly granted one', async () => {
      // A cached consent token to begin with.
      expect((await readIncome()).status).toBe(200);
      const grantsBefore = grants();
      const callsBefore = incomeCalls().length;
      world.sims.skatteetaten.injectFault({ endpoint: 'inntekt', kind: 'status', status: 401, error: 'IM-004', times: 1 });
      const read = await readIncome();
      expect(read.status).toBe(200);
      expect(read.json.oppgaveInntektsmottaker.length).toBeGreaterThan(0);
      expect(grants()).toBe(grantsBefore + 1);
      expect(incomeCalls().slice(callsBefore).map((c) => c.status)).toEqual([401, 200]);
      // The fresh token is the cached one now: the next read needs no grant.
      expect((await readIncome()).status).toBe(200);
      expect(grants()).toBe(grantsBefore + 1);
    });

    it('answers a second 401 as before (502 SKATTEETATEN_REJECTED) after exactly one retry, whatever the kode', async () => {
      expect((await readIncome()).status).toBe(200);
      const grantsBefore = grants();
      const callsBefore = incomeCalls().length;
      // Every call refused (with the kode feil.md gives 403): one retry, never a third call.
      world.sims.skatteetaten.injectFault({ endpoint: 'inntekt', kind: 'status', status: 401, error: 'IM-005' });
      const refused = await readIncome();
      expect([refused.status, refused.json.code]).toEqual([502, 'SKATTEETATEN_REJECTED']);
      expect(incomeCalls().slice(callsBefore).map((c) => c.status)).toEqual([401, 401]);
      expect(grants()).toBe(grantsBefore + 1);
      expect(JSON.stringify(refused.json)).not.toContain(PERSON_WITH_DEBT);
      expect((await api(app, 'GET', `/v1/consents/${consentId}`, { token })).json.status).toBe('active');
    });
  });

  it('answers 410 after re-checking at Altinn when Maskinporten refuses the grant of a withdrawn consent', async () => {
    const flow = await startAltinnFlow(app, token, OTHER_PERSON_WITH_DEBT, INCOME_BODY);
    await consentAtAltinn(app, flow);
    // The consent token cached from the callback would still be valid for its lifetime: drop it.
    const maskinporten = (app.app.get(ALTINN_CLIENTS) as AltinnClients).maskinporten;
    const consent = { id: flow.requestId, from: personUrn(OTHER_PERSON_WITH_DEBT) };
    await maskinporten.invalidate('skatteetaten:inntekt', await maskinporten.consentToken('skatteetaten:inntekt', consent), consent);
    world.sims.altinn3.act(flow.requestId, 'revoke');
    const grants = world.sims.maskinporten.getCalls('token').length;
    const gone = await api(app, 'GET', `/v1/consents/${flow.requestId}/income`, { token });
    expect([gone.status, gone.json.code]).toEqual([410, 'CONSENT_NOT_ACTIVE']);
    expect(world.sims.maskinporten.getCalls('token').slice(grants).map((c) => c.error)).toEqual(['invalid_authorization_details']);
    expect((await api(app, 'GET', `/v1/consents/${flow.requestId}`, { token })).json.status).toBe('archived');
  });

  it('revokes locally at once (204): Altinn lets only the customer withdraw', async () => {
    const flow = await startAltinnFlow(app, token, freshNationalId(), TAX_BODY);
    world.sims.altinn3.act(flow.requestId, 'accept');
    // Not through the callback: record it as the callback would, by walking the callback with its state.
    const state = new URL(world.sims.altinn3.request(flow.requestId)!.redirectUrl).searchParams.get('state')!;
    await followCallback(`${app.url}/v1/consent-flows/callback/altinn?state=${encodeURIComponent(state)}&Status=OK`);
    const revoked = await api(app, 'DELETE', `/v1/consents/${flow.requestId}`, { token });
    expect(revoked.status).toBe(204);
    expect((await api(app, 'GET', `/v1/consents/${flow.requestId}`, { token })).json.status).toBe('revoked');
    const read = await api(app, 'GET', `/v1/consents/${flow.requestId}/tax-assessment`, { token });
    expect([read.status, read.json.code]).toEqual([410, 'CONSENT_NOT_ACTIVE']);
  });

  it('needs income:read for the data routes, and answers DATASET_MISMATCH across debt, income and tax-assessment', async () => {
    const flow = await startAltinnFlow(app, token, PERSON_WITH_DEBT, INCOME_BODY);
    await consentAtAltinn(app, flow);
    const noIncome = await app.issuer.service(['consent:read', 'debt:read']);
    for (const path of [`/v1/consent-flows/${flow.id}/income`, `/v1/consents/${flow.requestId}/income`, `/v1/consents/${flow.requestId}/tax-assessment`]) {
      const refused = await api(app, 'GET', path, { token: noIncome });
      expect([path, refused.status, refused.json.code]).toEqual([path, 403, 'INSUFFICIENT_SCOPE']);
    }
    const calls = world.sims.skatteetaten.getCalls().length;
    for (const path of [`/v1/consent-flows/${flow.id}/tax-assessment`, `/v1/consent-flows/${flow.id}/debt`, `/v1/consents/${flow.requestId}/tax-assessment`, `/v1/consents/${flow.requestId}/debt`]) {
      const mismatch = await api(app, 'GET', path, { token });
      expect([path, mismatch.status, mismatch.json.code]).toEqual([path, 409, 'DATASET_MISMATCH']);
    }
    expect(world.sims.skatteetaten.getCalls().length).toBe(calls);
    const malformed = await api(app, 'GET', '/v1/consents/not-a-uuid/income', { token });
    expect(malformed.status).toBe(400);
  });

  it('fails the flow when Skatteetaten answers for another person, keeping nothing; a read by consent answers 502 IDENTITY_MISMATCH', async () => {
    const control = (person: string | null) =>
      fetch(`${world.sims.urls.skatteetaten}/_sandbox/answer-as`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ personidentifikator: person }) });
    const flow = await startAltinnFlow(app, token, PERSON_WITH_DEBT, INCOME_BODY);
    expect((await control(OTHER_PERSON_WITH_DEBT)).status).toBe(204);
    try {
      const { callback } = await consentAtAltinn(app, flow);
      expect(returned(callback).flowStatus).toBe('failed');
      expect((await flowOf(app, token, flow.id)).json).toMatchObject({ status: 'failed', error: 'identity_mismatch' });
      expect((await api(app, 'GET', `/v1/consents/${flow.requestId}`, { token })).json.status).toBe('revoked');

      await control(null);
      const good = await startAltinnFlow(app, token, PERSON_WITH_DEBT, INCOME_BODY);
      await consentAtAltinn(app, good);
      await control(OTHER_PERSON_WITH_DEBT);
      const read = await api(app, 'GET', `/v1/consents/${good.requestId}/income`, { token });
      expect([read.status, read.json.code]).toEqual([502, 'IDENTITY_MISMATCH']);
      expect(JSON.stringify(read.json)).not.toContain(OTHER_PERSON_WITH_DEBT);
    } finally {
      await control(null);
    }
  });

  it('fails the flow as altinn_unavailable when Altinn cannot be read, and as maskinporten_unavailable when Maskinporten fails', async () => {
    const flow = await startAltinnFlow(app, token, freshNationalId());
    world.sims.altinn3.injectFault({ endpoint: 'consentRequestGet', kind: 'status', status: 500 });
    expect(returned((await consentAtAltinn(app, flow)).callback).flowStatus).toBe('failed');
    expect((await flowOf(app, token, flow.id)).json.error).toBe('altinn_unavailable');
    world.sims.altinn3.faults.clear();

    const second = await startAltinnFlow(app, token, freshNationalId());
    world.sims.maskinporten.injectFault({ endpoint: 'token', kind: 'status', status: 503 });
    expect(returned((await consentAtAltinn(app, second)).callback).flowStatus).toBe('failed');
    expect((await flowOf(app, token, second.id)).json.error).toBe('maskinporten_unavailable');
    expect((await api(app, 'GET', `/v1/consents/${second.requestId}`, { token })).json.status).toBe('revoked');
    expect((await api(app, 'GET', `/v1/consents/${flow.requestId}`, { token })).status).toBe(404);
  });

  it('re-reads the status at Altinn on ?refresh=true', async () => {
    const flow = await startAltinnFlow(app, token, PERSON_WITH_DEBT, TAX_BODY);
    await consentAtAltinn(app, flow);
    expect((await api(app, 'GET', `/v1/consents/${flow.requestId}?refresh=true`, { token })).json.status).toBe('active');
    world.sims.altinn3.act(flow.requestId, 'delete');
    expect((await api(app, 'GET', `/v1/consents/${flow.requestId}`, { token })).json.status).toBe('active');
    expect((await api(app, 'GET', `/v1/consents/${flow.requestId}?refresh=true`, { token })).json.status).toBe('archived');
  });
});

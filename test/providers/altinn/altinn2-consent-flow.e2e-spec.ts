import { NO_DATA } from '../../../src/consent-flow/flow.store';
import { altinn2ProviderConsentId } from '../../../src/providers/altinn/altinn2/altinn2-consent-secret';
import { parseAltinn2Date } from '../../../src/providers/altinn/altinn2/oslo-time';
import { YEAR_WITHOUT_ASSESSMENT } from '../../../src/providers/altinn/sandbox/skatteetaten';
import { freshNationalId } from '../../support/national-ids';
import { control } from './altinn2-walk';
import { type Altinn2Harness, answerAndComplete, rawConsentRow, startAltinn2Harness, startFlow } from './altinn2-consent.harness';

const PERSON = '14842249091';
const LATEST_YEAR = new Date().getUTCFullYear() - 1;
const MONTHS = { fromMonth: `${LATEST_YEAR}-01`, toMonth: `${LATEST_YEAR}-06` };

describe('Altinn 2 consent flows: start, the consent page, the callback', () => {
  let h: Altinn2Harness;

  beforeAll(async () => {
    h = await startAltinn2Harness();
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await control(h.altinn.url, 'reset');
    h.kit.skatteetaten.sandbox.reset();
  });

  const tokenCalls = () => h.altinn.sandbox.getCalls('token').length;
  const skatteetatenCalls = () => h.kit.skatteetaten.sandbox.getCalls().length;
  const recorded = async (code: string | undefined) => (code ? h.consents.findByProviderConsentId('altinn', altinn2ProviderConsentId(code)) : null);
  const nowSeconds = () => Math.floor(h.altinn.sandbox.now() / 1000);

  it('completes a tax assessment: link, approval, verified token, data kept, consent recorded with the code encrypted', async () => {
    const started = await startFlow(h, 'tax-assessment', PERSON, { incomeYear: LATEST_YEAR }, 14, 'Lånesøknad 42: vi trenger skattegrunnlaget ditt');
    expect(started.scope).toBe('ske-samtykke-sbl-summert-skattegrunnlag');
    const link = new URL(started.authorizationUrl);
    expect(`${link.origin}${link.pathname}`).toBe(`${h.altinn.url}/ui/AccessConsent/`);
    expect(link.searchParams.get('Resources')).toBe('4628;210607');
    expect(link.searchParams.get('Metadata')).toBe(`4628_210607_inntektsaar;${LATEST_YEAR}`);
    expect(link.searchParams.get('DelegationContext')).toBe('Lånesøknad 42: vi trenger skattegrunnlaget ditt');
    expect(new URL(link.searchParams.get('RedirectUrl')!).searchParams.get('state')).toBe(started.state);
    const validTo = parseAltinn2Date(link.searchParams.get('ValidToDate'))!;
    expect(Math.abs(validTo.getTime() - (h.altinn.sandbox.now() + 14 * 86_400_000))).toBeLessThan(5000);

    const { back, flow, code } = await answerAndComplete(h, started, PERSON, 'approve');
    expect(back.searchParams.get('status')).toBe('completed');
    expect(flow).toMatchObject({ status: 'completed', consentId: expect.any(String) });
    const consent = (await h.consents.findById(flow.consentId!))!;
    expect(consent).toMatchObject({ provider: 'altinn', dataset: 'tax-assessment', status: 'active', source: 'flow', purpose: 'processing', durationDays: 14, scope: 'ske-samtykke-sbl-summert-skattegrunnlag', parameters: { incomeYear: LATEST_YEAR }, nationalIdHash: h.hasher.hash(PERSON) });
    expect(consent.expiresAt).toEqual(validTo);
    expect(consent.providerConsentId).toBe(altinn2ProviderConsentId(code!));
    // The authorization code is a bearer secret: nowhere in the row in clear, but decryptable bound to the consent.
    const row = await rawConsentRow(h, consent.id);
    expect(row).toContain(consent.id);
    expect(row).not.toContain(code);
    expect(row).not.toContain(PERSON);
    expect(await h.cipher.decrypt(consent.secretCiphertext!, `consent:${consent.id}`)).toBe(code);
    const data = (await h.flowStore.getData(flow.id)) as { inntektsaar: string; grunnlag: unknown[] };
    expect(data.inntektsaar).toBe(String(LATEST_YEAR));
    expect(data.grunnlag.length).toBeGreaterThan(0);
    expect(JSON.stringify(data)).not.toContain(PERSON);
    // Skatteetaten was called once, with a Maskinporten bearer token and AltinnSamtykke.
    expect(h.kit.skatteetaten.sandbox.getCalls('summertskattegrunnlag')).toEqual([expect.objectContaining({ authorization: 'Bearer', altinnSamtykke: true, status: 200 })]);
  });

  it('completes income for a period, with the default text and 30 days', async () => {
    const started = await startFlow(h, 'income', PERSON, MONTHS);
    expect(started.scope).toBe('ske-samtykke-sbl-inntekt');
    const link = new URL(started.authorizationUrl);
    expect(link.searchParams.get('Metadata')).toBe(`4804_210607_fraOgMed;${MONTHS.fromMonth},4804_210607_tilOgMed;${MONTHS.toMonth}`);
    expect(link.searchParams.get('DelegationContext')).toMatch(/inntekten din/);
    const { flow } = await answerAndComplete(h, started, PERSON, 'approve');
    expect(flow.status).toBe('completed');
    const consent = (await h.consents.findById(flow.consentId!))!;
    expect(consent).toMatchObject({ dataset: 'income', durationDays: 30, parameters: MONTHS });
    const data = (await h.flowStore.getData(flow.id)) as { oppgaveInntektsmottaker?: unknown[] };
    expect(JSON.stringify(data)).not.toContain(PERSON);
    expect(Object.keys(data).length).toBeGreaterThan(0);
  });

  it('completes with NO_DATA when Skatteetaten has no assessment for that year', async () => {
    const started = await startFlow(h, 'tax-assessment', PERSON, { incomeYear: YEAR_WITHOUT_ASSESSMENT });
    const { flow } = await answerAndComplete(h, started, PERSON, 'approve');
    expect(flow.status).toBe('completed');
    expect(await h.flowStore.getData(flow.id)).toBe(NO_DATA);
    expect((await h.consents.findById(flow.consentId!))!.status).toBe('active');
  });

  it('ends denied when the customer says no, without asking for a token', async () => {
    const started = await startFlow(h, 'tax-assessment', PERSON, { incomeYear: LATEST_YEAR });
    const { back, flow } = await answerAndComplete(h, started, PERSON, 'deny');
    expect(back.searchParams.get('status')).toBe('denied');
    expect(flow).toMatchObject({ status: 'denied', error: 'consent_denied' });
    expect(tokenCalls()).toBe(0);
  });

  it('does not trust Status=OK without a code', async () => {
    const started = await startFlow(h, 'tax-assessment', PERSON, { incomeYear: LATEST_YEAR });
    const { flow } = await h.flows.takeFlow(started.state, 'altinn');
    const back = await h.completion.complete(flow, { state: started.state, Status: 'OK' }, 'test');
    expect(back.searchParams.get('status')).toBe('failed');
    expect(tokenCalls()).toBe(0);
  });

  it('fails with token_exchange_failed when Altinn refuses our ApiKey (403), recording nothing', async () => {
    const started = await startFlow(h, 'tax-assessment', PERSON, { incomeYear: LATEST_YEAR });
    const { flow, code } = await answerAndComplete(h, started, PERSON, 'approve', h.completionWith({ apiKey: 'not-our-api-key' }));
    expect(flow).toMatchObject({ status: 'failed', error: 'token_exchange_failed' });
    expect(h.altinn.sandbox.getCalls('token')).toEqual([expect.objectContaining({ apiKey: 'unknown', status: 403 })]);
    expect(await recorded(code)).toBeNull();
    expect(skatteetatenCalls()).toBe(0);
  });

  it('fails with altinn_unavailable when the token endpoint keeps failing', async () => {
    await control(h.altinn.url, 'faults', { endpoint: 'token', kind: 'status', status: 503 });
    const started = await startFlow(h, 'income', PERSON, MONTHS);
    const { flow } = await answerAndComplete(h, started, PERSON, 'approve');
    expect(flow).toMatchObject({ status: 'failed', error: 'altinn_unavailable' });
  });

  const tampered: Array<[string, () => Record<string, unknown>, string, string]> = [
    ['signed by a key Altinn does not publish', () => ({ signer: 'unknown' }), 'token_exchange_failed', 'unknown_key'],
    ['expired', () => ({ claims: { nbf: nowSeconds() - 300, exp: nowSeconds() - 270 } }), 'token_exchange_failed', 'token_expired'],
    ['for another person', () => ({ claims: { OfferedBy: freshNationalId() } }), 'identity_mismatch', 'wrong_person'],
    ['for another organisation', () => ({ claims: { CoveredBy: '974760673' } }), 'token_exchange_failed', 'wrong_organisation'],
    ['without the requested service', () => ({ claims: { Services: ['4804_210607'] } }), 'token_exchange_failed', 'service_missing'],
  ];
  it.each(tampered)('refuses a token %s before any use, recording nothing', async (_what, tamper, error, reason) => {
    await control(h.altinn.url, 'token-tamper', tamper());
    const started = await startFlow(h, 'tax-assessment', PERSON, { incomeYear: LATEST_YEAR });
    const { flow, code } = await answerAndComplete(h, started, PERSON, 'approve');
    expect(flow).toMatchObject({ status: 'failed', error });
    expect(h.app.logs.filter((line) => line.includes(flow.id) && line.includes('not usable'))).toEqual([expect.stringContaining(`"reason":"${reason}"`)]);
    expect(await recorded(code)).toBeNull();
    expect(skatteetatenCalls()).toBe(0);
  });

  it('refuses a consent given by someone else than the customer of the flow (identity_mismatch)', async () => {
    const started = await startFlow(h, 'tax-assessment', PERSON, { incomeYear: LATEST_YEAR });
    const { flow, code } = await answerAndComplete(h, started, '29868099311', 'approve');
    expect(flow).toMatchObject({ status: 'failed', error: 'identity_mismatch' });
    expect(await recorded(code)).toBeNull();
    expect(skatteetatenCalls()).toBe(0);
  });

  it('fails with consent_not_accepted when Skatteetaten refuses the consent, and skatteetaten_unavailable on its 5xx', async () => {
    h.kit.skatteetaten.sandbox.injectFault({ endpoint: 'inntekt', kind: 'status', status: 403, times: 1 });
    const first = await answerAndComplete(h, await startFlow(h, 'income', PERSON, MONTHS), PERSON, 'approve');
    expect(first.flow).toMatchObject({ status: 'failed', error: 'consent_not_accepted' });
    expect(await recorded(first.code)).toBeNull();

    h.kit.skatteetaten.sandbox.injectFault({ endpoint: 'inntekt', kind: 'status', status: 500 });
    const second = await answerAndComplete(h, await startFlow(h, 'income', PERSON, MONTHS), PERSON, 'approve');
    expect(second.flow).toMatchObject({ status: 'failed', error: 'skatteetaten_unavailable' });
  });

  it('keeps the ValidToDate the flow asked for when the token states a later one', async () => {
    await control(h.altinn.url, 'token-tamper', { claims: { ValidToDate: nowSeconds() + 400 * 86_400 } });
    const started = await startFlow(h, 'tax-assessment', PERSON, { incomeYear: LATEST_YEAR }, 5);
    const { flow } = await answerAndComplete(h, started, PERSON, 'approve');
    const asked = parseAltinn2Date(new URL(started.authorizationUrl).searchParams.get('ValidToDate'))!;
    expect((await h.consents.findById(flow.consentId!))!.expiresAt).toEqual(asked);
    expect(flow.consentExpiresAt).toBe(asked.toISOString());
  });

  it('fails with maskinporten_unavailable when Maskinporten answers 5xx', async () => {
    h.kit.maskinporten.sandbox.injectFault({ endpoint: 'token', kind: 'status', status: 503 });
    try {
      const started = await startFlow(h, 'tax-assessment', PERSON, { incomeYear: LATEST_YEAR });
      const { flow, code } = await answerAndComplete(h, started, PERSON, 'approve', h.completionWith({ maskinporten: h.kit.client() }));
      expect(flow).toMatchObject({ status: 'failed', error: 'maskinporten_unavailable' });
      expect(await recorded(code)).toBeNull();
      expect(skatteetatenCalls()).toBe(0);
    } finally {
      h.kit.maskinporten.sandbox.faults.clear();
    }
  });

  it('accepts the old claim form (x5t only, ServiceCodes, local-time ValidToDate) and a raw JWT body', async () => {
    await control(h.altinn.url, 'options', { claimForm: 'old', tokenBody: 'raw' });
    const { flow } = await answerAndComplete(h, await startFlow(h, 'tax-assessment', PERSON, { incomeYear: LATEST_YEAR }), PERSON, 'approve');
    expect(flow.status).toBe('completed');
  });
});

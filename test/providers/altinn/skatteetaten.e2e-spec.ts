import Fastify, { type FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import type { MaskinportenClient } from '../../../src/providers/altinn/maskinporten/maskinporten.client';
import { YEAR_WITHOUT_ASSESSMENT } from '../../../src/providers/altinn/sandbox/skatteetaten';
import { IncomeClient } from '../../../src/providers/altinn/skatteetaten/income.client';
import { SkatteetatenConsentError, SkatteetatenUnauthorizedError } from '../../../src/providers/altinn/skatteetaten/skatteetaten-call';
import { SkatteetatenHttpClient } from '../../../src/providers/altinn/skatteetaten/skatteetaten-http.client';
import { TaxAssessmentClient } from '../../../src/providers/altinn/skatteetaten/tax-assessment.client';
import { type AltinnKit, personUrn, startAltinnKit } from './altinn-test-kit';

const PERSON = '14842249091';
const OTHER = '29868099311';
const SUMMERT = 'skatteetaten:summertskattegrunnlag';
const INNTEKT = 'skatteetaten:inntekt';
const TIMEOUT_MS = 1000;
const LATEST_YEAR = new Date().getUTCFullYear() - 1;

describe('Skatteetaten clients against the Skatteetaten simulator (tokens from the Maskinporten simulator)', () => {
  let kit: AltinnKit;
  let maskinporten: MaskinportenClient;
  let http: SkatteetatenHttpClient;
  let taxAssessment: TaxAssessmentClient;
  let income: IncomeClient;
  let garbage: FastifyInstance;
  let garbageUrl: string;

  beforeAll(async () => {
    kit = await startAltinnKit({
      // The Altinn 2 consent JWT, as a verifier would read it: only the one the test hands out is valid.
      altinnSamtykke: (jwt) => (jwt === 'altinn2-consent-for-person' ? { offeredBy: PERSON, services: ['4804_210607', `4804_210607_fraOgMed=${LATEST_YEAR}-01`, `4804_210607_tilOgMed=${LATEST_YEAR}-06`], validTo: new Date(Date.now() + 86_400_000) } : undefined),
    });
    maskinporten = kit.client();
    http = new SkatteetatenHttpClient(kit.metrics, { timeoutMs: TIMEOUT_MS });
    taxAssessment = new TaxAssessmentClient({ taxAssessmentUrl: kit.skatteetaten.taxAssessmentUrl }, http);
    income = new IncomeClient({ incomeUrl: kit.skatteetaten.incomeUrl }, http);
    garbage = Fastify({ logger: false });
    garbage.get('/*', async () => ({ personidentifikator: PERSON, grunnlag: 'none', oppgaveInntektsmottaker: [{ kalendermaaned: 'May' }] }));
    garbageUrl = await garbage.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await http.close();
    await garbage.close();
    await kit.close();
  });
  beforeEach(() => {
    kit.skatteetaten.sandbox.reset();
    kit.maskinporten.sandbox.faults.clear();
  });

  const summertToken = async (nationalId: string, year: number) => {
    const consent = kit.addConsent({ from: personUrn(nationalId), rights: [{ resource: 'ske-samtykke-sbl-summert-skattegrunnlag', metadata: { inntektsaar: String(year) } }] });
    return maskinporten.consentToken(SUMMERT, { id: consent.id, from: consent.from });
  };
  const inntektToken = async (nationalId: string, from: string, to: string) => {
    const consent = kit.addConsent({ from: personUrn(nationalId), rights: [{ resource: 'ske-samtykke-sbl-inntekt', metadata: { fraogmed: from, tilogmed: to } }] });
    return maskinporten.consentToken(INNTEKT, { id: consent.id, from: consent.from });
  };

  it('reads the tax assessment with an Altinn 3 consent token, the national id returned apart', async () => {
    const bearer = await summertToken(PERSON, LATEST_YEAR);
    const result = await taxAssessment.get({ bearer }, LATEST_YEAR, PERSON);
    if (result.kind !== 'found') throw new Error(`expected data, got ${result.kind}`);
    expect(result.personidentifikator).toBe(PERSON);
    expect(JSON.stringify(result.assessment)).not.toContain(PERSON);
    expect(result.assessment).toMatchObject({ inntektsaar: String(LATEST_YEAR), stadie: 'oppgjoer', skjermet: false });
    expect(result.assessment.grunnlag.find((g) => g.tekniskNavn === 'loennsinntektMedTrygdeavgiftspliktOmfattetAvLoennsoppgaveplikt')?.beloep).toBe(612_000);
    for (const item of result.assessment.grunnlag) expect(Number.isInteger(item.beloep)).toBe(true);
    const [call] = kit.skatteetaten.sandbox.getCalls('summertskattegrunnlag');
    expect(call).toMatchObject({ method: 'GET', route: '/summertskattegrunnlag/v2/oppgjoer/sbl/:inntektsaar/:personidentifikator', accept: 'application/json', authorization: 'Bearer', altinnSamtykke: false, status: 200 });
  });

  it('answers no_data for a year without an assessment (SSG-008)', async () => {
    const bearer = await summertToken(PERSON, YEAR_WITHOUT_ASSESSMENT);
    expect(await taxAssessment.get({ bearer }, YEAR_WITHOUT_ASSESSMENT, PERSON)).toEqual({ kind: 'no_data' });
    expect(kit.skatteetaten.sandbox.getCalls()[0]).toMatchObject({ status: 404, kode: 'SSG-008' });
  });

  it('throws SkatteetatenConsentError (SSG-010) for another year or another person than consented', async () => {
    const bearer = await summertToken(PERSON, LATEST_YEAR);
    await expect(taxAssessment.get({ bearer }, LATEST_YEAR - 1, PERSON)).rejects.toEqual(new SkatteetatenConsentError('SSG-010'));
    await expect(taxAssessment.get({ bearer }, LATEST_YEAR, OTHER)).rejects.toBeInstanceOf(SkatteetatenConsentError);
  });

  it('reads income per month for a consented period, the national ids returned apart', async () => {
    const from = `${LATEST_YEAR}-01`;
    const to = `${LATEST_YEAR}-06`;
    const bearer = await inntektToken(OTHER, from, to);
    const result = await income.get({ bearer }, from, to, OTHER);
    if (result.kind !== 'found') throw new Error(`expected data, got ${result.kind}`);
    expect(result.personidentifikatorer).toEqual([OTHER]);
    expect(JSON.stringify(result.income)).not.toContain(OTHER);
    expect(result.income.oppgaveInntektsmottaker.map((s) => s.kalendermaaned)).toEqual(['01', '02', '03', '04', '05', '06'].map((m) => `${LATEST_YEAR}-${m}`));
    expect(result.income.oppgaveInntektsmottaker[5].inntekt.map((i) => i.loennsinntekt?.beskrivelse)).toEqual(['fastloenn', 'feriepenger']);
    const [call] = kit.skatteetaten.sandbox.getCalls('inntekt');
    expect(call).toMatchObject({ route: '/inntekt/v1/sbl/:personidentifikator/inntekter', query: { fraOgMed: from, tilOgMed: to }, accept: 'application/json', authorization: 'Bearer' });
  });

  it('answers no_data when no month of the period has income (IM-008), and a consent error outside the consented period', async () => {
    const bearer = await inntektToken(PERSON, '2022-01', '2022-12');
    expect(await income.get({ bearer }, '2022-01', '2022-12', PERSON)).toEqual({ kind: 'no_data' });
    await expect(income.get({ bearer }, '2022-06', '2023-01', PERSON)).rejects.toEqual(new SkatteetatenConsentError('IM-010'));
  });

  it('reads income with an Altinn 2 consent: a data-scope token plus AltinnSamtykke', async () => {
    const bearer = await maskinporten.token(INNTEKT);
    const result = await income.get({ bearer, altinnSamtykke: 'altinn2-consent-for-person' }, `${LATEST_YEAR}-01`, `${LATEST_YEAR}-02`, PERSON);
    expect(result.kind).toBe('found');
    expect(kit.skatteetaten.sandbox.getCalls('inntekt')[0]).toMatchObject({ altinnSamtykke: true, authorization: 'Bearer' });
    await expect(income.get({ bearer, altinnSamtykke: 'forged' }, `${LATEST_YEAR}-01`, `${LATEST_YEAR}-02`, PERSON)).rejects.toBeInstanceOf(SkatteetatenConsentError);
    await expect(income.get({ bearer }, `${LATEST_YEAR}-01`, `${LATEST_YEAR}-02`, PERSON)).rejects.toBeInstanceOf(SkatteetatenConsentError);
  });

  it('answers SKATTEETATEN_UNAVAILABLE for 5xx (after retries) and SKATTEETATEN_REJECTED for other refusals', async () => {
    const bearer = await summertToken(PERSON, LATEST_YEAR);
    kit.skatteetaten.sandbox.injectFault({ endpoint: 'summertskattegrunnlag', kind: 'status', status: 503 });
    const failure = await taxAssessment.get({ bearer }, LATEST_YEAR, PERSON).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'SKATTEETATEN_UNAVAILABLE', status: 503 });
    expect(kit.skatteetaten.sandbox.getCalls().length).toBeGreaterThan(1);
    kit.skatteetaten.sandbox.faults.clear();
    kit.skatteetaten.sandbox.injectFault({ endpoint: 'summertskattegrunnlag', kind: 'status', status: 401, error: 'SSG-004', times: 1 });
    const unauthorized = await taxAssessment.get({ bearer }, LATEST_YEAR, PERSON).catch((e: unknown) => e);
    // A 401 is SKATTEETATEN_REJECTED as any refusal, typed so a caller can replace the token.
    expect(unauthorized).toBeInstanceOf(SkatteetatenUnauthorizedError);
    expect(unauthorized).toMatchObject({ code: 'SKATTEETATEN_REJECTED', status: 502, kode: 'SSG-004', detail: 'Skatteetaten rejected the request (summertskattegrunnlag.get, HTTP 401).' });
    // By the status, whatever the kode (feil.md swaps 401 and 403).
    kit.skatteetaten.sandbox.injectFault({ endpoint: 'summertskattegrunnlag', kind: 'status', status: 401, error: 'SSG-005', times: 1 });
    await expect(taxAssessment.get({ bearer }, LATEST_YEAR, PERSON)).rejects.toBeInstanceOf(SkatteetatenUnauthorizedError);
    kit.skatteetaten.sandbox.injectFault({ endpoint: 'summertskattegrunnlag', kind: 'status', status: 403, error: 'SSG-005', times: 1 });
    await expect(taxAssessment.get({ bearer }, LATEST_YEAR, PERSON)).rejects.toMatchObject({ code: 'SKATTEETATEN_REJECTED', name: 'AppError' });
    expect(JSON.stringify([String(failure), (failure as { detail?: string }).detail, String((failure as Error).cause)])).not.toContain(PERSON);
  });

  it('answers SKATTEETATEN_TIMEOUT within the configured timeout', async () => {
    const bearer = await inntektToken(PERSON, `${LATEST_YEAR}-01`, `${LATEST_YEAR}-03`);
    kit.skatteetaten.sandbox.injectFault({ endpoint: 'inntekt', kind: 'timeout', times: 1 });
    const started = Date.now();
    await expect(income.get({ bearer }, `${LATEST_YEAR}-01`, `${LATEST_YEAR}-03`, PERSON)).rejects.toMatchObject({ code: 'SKATTEETATEN_TIMEOUT', status: 504 });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 500);
  });

  it('answers SKATTEETATEN_BAD_RESPONSE for a 200 it cannot use', async () => {
    const bad = new TaxAssessmentClient({ taxAssessmentUrl: garbageUrl }, http);
    await expect(bad.get({ bearer: 'x' }, LATEST_YEAR, PERSON)).rejects.toMatchObject({ code: 'SKATTEETATEN_BAD_RESPONSE' });
    await expect(new IncomeClient({ incomeUrl: garbageUrl }, http).get({ bearer: 'x' }, '2025-01', '2025-02', PERSON)).rejects.toMatchObject({ code: 'SKATTEETATEN_BAD_RESPONSE' });
  });

  it('never puts the national id in a metric label', async () => {
    const bearer = await summertToken(PERSON, LATEST_YEAR);
    await taxAssessment.get({ bearer }, LATEST_YEAR, PERSON);
    const exposition = await kit.metrics.registry.metrics();
    expect(exposition).toContain('operation="summertskattegrunnlag.get"');
    expect(exposition).not.toContain(PERSON);
    expect(exposition).not.toContain(OTHER);
  });

  describe('the simulator refuses what the contract forbids', () => {
    const get = async (path: string, headers: Record<string, string>) => {
      const response = await fetch(`${kit.skatteetaten.url}${path}`, { headers });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const summertPath = (pid = PERSON) => `/summertskattegrunnlag/v2/oppgjoer/sbl/${LATEST_YEAR}/${pid}`;

    it('no bearer token → 401 SSG-004; a token without the API scope → 403 SSG-005', async () => {
      expect(await get(summertPath(), { accept: 'application/json' })).toMatchObject({ status: 401, body: { kode: 'SSG-004', korrelasjonsid: expect.any(String) } });
      const wrongScope = await maskinporten.token(INNTEKT);
      expect(await get(summertPath(), { accept: 'application/json', authorization: `Bearer ${wrongScope}` })).toMatchObject({ status: 403, body: { kode: 'SSG-005' } });
    });

    it('a token from another signer or past its exp → 401', async () => {
      const bearer = await summertToken(PERSON, LATEST_YEAR);
      const [h, p] = bearer.split('.');
      expect((await get(summertPath(), { accept: 'application/json', authorization: `Bearer ${h}.${p}.AAAA` })).body.kode).toBe('SSG-004');
      kit.skatteetaten.sandbox.advanceClock(((decodeJwt(bearer).exp as number) - Date.now() / 1000 + 5) * 1000);
      expect((await get(summertPath(), { accept: 'application/json', authorization: `Bearer ${bearer}` })).status).toBe(401);
    });

    it('an Accept it does not serve → 406 SSG-009; an unknown URL → 404 SSG-003 / IM-003', async () => {
      const bearer = await summertToken(PERSON, LATEST_YEAR);
      expect(await get(summertPath(), { accept: 'text/html', authorization: `Bearer ${bearer}` })).toMatchObject({ status: 406, body: { kode: 'SSG-009' } });
      expect(await get(`/summertskattegrunnlag/v2/utkast/sbl/${LATEST_YEAR}/${PERSON}`, { accept: 'application/json' })).toMatchObject({ status: 404, body: { kode: 'SSG-003' } });
      expect(await get(`/inntekt/v1/sbl/${PERSON}/oppgave`, { accept: 'application/json' })).toMatchObject({ status: 404, body: { kode: 'IM-003' } });
    });

    it('keeps no national id in its call log', async () => {
      const bearer = await summertToken(PERSON, LATEST_YEAR);
      await get(summertPath(), { accept: 'application/json', authorization: `Bearer ${bearer}` });
      const log = JSON.stringify(kit.skatteetaten.sandbox.getCalls());
      expect(log).not.toContain(PERSON);
      expect(log).not.toContain(bearer.split('.')[2]);
    });
  });
});

import type { Caller } from '../../../src/auth/caller';
import { AppError } from '../../../src/common/problem';
import type { Altinn2Data } from '../../../src/providers/altinn/altinn2/altinn2-collector';
import type { Altinn2Dataset } from '../../../src/providers/altinn/altinn2/altinn2-link';
import { freshNationalId } from '../../support/national-ids';
import { control } from './altinn2-walk';
import { type Altinn2Harness, answerAndComplete, CLIENT_ID, startAltinn2Harness, startFlow } from './altinn2-consent.harness';

const PERSON = '29868099311';
const LATEST_YEAR = new Date().getUTCFullYear() - 1;
const DAY_MS = 86_400_000;

describe('Altinn 2 consents: later reads with the stored authorization code', () => {
  let h: Altinn2Harness;

  beforeAll(async () => {
    h = await startAltinn2Harness();
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await control(h.altinn.url, 'reset');
    h.kit.skatteetaten.sandbox.reset();
  });

  const caller: Caller = { subject: 'customer', clientId: CLIENT_ID, scopes: new Set(['consent:read', 'income:read']), nationalId: PERSON };
  const tokenCalls = () => h.altinn.sandbox.getCalls('token').length;
  const jwksCalls = () => h.altinn.sandbox.getCalls('jwks').length;
  const skatteetatenCalls = () => h.kit.skatteetaten.sandbox.getCalls().length;
  const advance = (ms: number) => control(h.altinn.url, 'clock/advance', { ms });

  /** A consent from a completed flow (the callback's own token and Skatteetaten calls are cleared). */
  async function granted(dataset: Altinn2Dataset = 'tax-assessment', durationDays = 30) {
    const parameters = dataset === 'tax-assessment' ? { incomeYear: LATEST_YEAR } : { fromMonth: `${LATEST_YEAR}-01`, toMonth: `${LATEST_YEAR}-03` };
    const { flow } = await answerAndComplete(h, await startFlow(h, dataset, PERSON, parameters, durationDays), PERSON, 'approve');
    expect(flow.status).toBe('completed');
    h.altinn.sandbox.clearCalls();
    h.kit.skatteetaten.sandbox.clearCalls();
    return flow.consentId!;
  }

  /** A read through ConsentDataService (audit, identity check, 410), with Altinn 2's reader as the provider read. */
  const read = (id: string, dataset: Altinn2Dataset = 'tax-assessment') =>
    h.consentData.read<Altinn2Data>(caller, id, dataset, { subject: 'customer', clientId: CLIENT_ID, requestId: 'test-read' }, (consent) => h.reader.read(consent, 'test-read'));
  /** Why the consent ended, as the audit trail says. */
  const endReason = async (id: string) => {
    const rows: Array<{ reason: string }> = await h.dataSource.query(`SELECT detail->>'reason' AS reason FROM audit_event WHERE consent_id = $1 AND action IN ('consent.expired', 'consent.archived')`, [id]);
    return rows.map((r) => r.reason);
  };
  const problem = (promise: Promise<unknown>) => promise.then(() => 'no error', (e: unknown) => (e instanceof AppError ? e.code : String(e)));

  it('reads the tax assessment and income again with a fresh token and AltinnSamtykke', async () => {
    const tax = await granted('tax-assessment');
    expect(await read(tax)).toMatchObject({ inntektsaar: String(LATEST_YEAR) });
    const income = await granted('income');
    expect(JSON.stringify(await read(income, 'income'))).not.toContain(PERSON);
    expect(tokenCalls()).toBe(1);
    expect(h.kit.skatteetaten.sandbox.getCalls()).toEqual([expect.objectContaining({ endpoint: 'inntekt', authorization: 'Bearer', altinnSamtykke: true, status: 200 })]);
    expect((await h.consents.findById(income))!.lastUsedAt).not.toBeNull();
  });

  it('fetches a new token for a read 30 seconds later (the old one has expired)', async () => {
    const id = await granted();
    await read(id);
    expect(tokenCalls()).toBe(1);
    await advance(31_000);
    await read(id);
    expect(tokenCalls()).toBe(2);
    expect(h.altinn.sandbox.getCalls('token').every((c) => c.status === 200)).toBe(true);
  });

  it('ends the consent without any upstream call once its ValidToDate has passed', async () => {
    const id = await granted('tax-assessment', 1);
    await advance(DAY_MS + 60_000);
    expect(await problem(read(id))).toBe('CONSENT_NOT_ACTIVE');
    expect(tokenCalls()).toBe(0);
    expect(skatteetatenCalls()).toBe(0);
    expect((await h.consents.findById(id))!.status).toBe('expired');
    expect(await endReason(id)).toEqual(['altinn2_valid_to_passed']);
  });

  it('follows Altinn rotating its keys between two reads (one refetch of the key set)', async () => {
    const id = await granted();
    await read(id);
    const before = jwksCalls();
    // Twice: the signing key becomes one the cached key set has never seen.
    await control(h.altinn.url, 'keys/rotate');
    await control(h.altinn.url, 'keys/rotate');
    expect(await read(id)).toMatchObject({ inntektsaar: String(LATEST_YEAR) });
    expect(jwksCalls()).toBe(before + 1);
  });

  it('records the consent archived when Altinn no longer gives tokens for the code (403)', async () => {
    const id = await granted();
    await control(h.altinn.url, 'faults', { endpoint: 'token', kind: 'status', status: 403, times: 1 });
    expect(await problem(read(id))).toBe('CONSENT_NOT_ACTIVE');
    expect(skatteetatenCalls()).toBe(0);
    expect((await h.consents.findById(id))!.status).toBe('archived');
    expect(await endReason(id)).toEqual(['altinn2_token_refused']);
  });

  it('records the consent archived when Skatteetaten refuses it', async () => {
    const id = await granted();
    h.kit.skatteetaten.sandbox.injectFault({ endpoint: 'summertskattegrunnlag', kind: 'status', status: 403, times: 1 });
    expect(await problem(read(id))).toBe('CONSENT_NOT_ACTIVE');
    expect((await h.consents.findById(id))!.status).toBe('archived');
    expect(await endReason(id)).toEqual(['skatteetaten_consent_error']);
  });

  it('replaces the data-scope token Skatteetaten answers 401 to, once; a second 401 is SKATTEETATEN_REJECTED', async () => {
    const id = await granted();
    /** Plain (not consent) grants Maskinporten gave for the data scope. */
    const grants = () => h.kit.maskinporten.sandbox.getCalls('token').filter((c) => c.status === 200 && !c.assertion?.consentGrant && c.assertion?.scope === 'skatteetaten:summertskattegrunnlag').length;
    // A cached data-scope token to begin with.
    await read(id);
    h.kit.skatteetaten.sandbox.clearCalls();
    const grantsBefore = grants();
    h.kit.skatteetaten.sandbox.injectFault({ endpoint: 'summertskattegrunnlag', kind: 'status', status: 401, times: 1 });
    expect(await read(id)).toMatchObject({ inntektsaar: String(LATEST_YEAR) });
    expect(grants()).toBe(grantsBefore + 1);
    expect(h.kit.skatteetaten.sandbox.getCalls().map((c) => [c.status, c.altinnSamtykke])).toEqual([[401, true], [200, true]]);

    h.kit.skatteetaten.sandbox.clearCalls();
    h.kit.skatteetaten.sandbox.injectFault({ endpoint: 'summertskattegrunnlag', kind: 'status', status: 401 });
    expect(await problem(read(id))).toBe('SKATTEETATEN_REJECTED');
    expect(skatteetatenCalls()).toBe(2);
    expect(grants()).toBe(grantsBefore + 2);
    expect((await h.consents.findById(id))!.status).toBe('active');
  });

  it('discloses nothing when the token names another person, and asks Skatteetaten nothing', async () => {
    const id = await granted();
    await control(h.altinn.url, 'token-tamper', { claims: { OfferedBy: freshNationalId() }, times: 1 });
    expect(await problem(read(id))).toBe('IDENTITY_MISMATCH');
    expect(skatteetatenCalls()).toBe(0);
    expect((await h.consents.findById(id))!.status).toBe('active');
  });

  it('refuses a token signed by an unknown key on a read (502), keeping the consent', async () => {
    const id = await granted();
    await control(h.altinn.url, 'token-tamper', { signer: 'unknown', times: 1 });
    expect(await problem(read(id))).toBe('ALTINN_BAD_RESPONSE');
    expect(skatteetatenCalls()).toBe(0);
    expect((await h.consents.findById(id))!.status).toBe('active');
  });

  it('tells the consent\u2019s status at Altinn by asking for a token: active, withdrawn, past ValidToDate', async () => {
    const id = await granted('income', 2);
    const consent = (await h.consents.findById(id))!;
    expect(await h.reader.status(consent)).toEqual({ active: true, expiresAt: consent.expiresAt });
    expect(tokenCalls()).toBe(1);
    await control(h.altinn.url, 'faults', { endpoint: 'token', kind: 'status', status: 403, times: 1 });
    expect(await h.reader.status(consent)).toEqual({ active: false, ended: 'archived', reason: 'altinn2_token_refused' });
    await advance(2 * DAY_MS + 1000);
    expect(await h.reader.status(consent)).toEqual({ active: false, ended: 'expired', reason: 'altinn2_valid_to_passed' });
    expect(tokenCalls()).toBe(2);
    expect(skatteetatenCalls()).toBe(0);
  });

  it('answers NO_DATA when Skatteetaten has none', async () => {
    const id = await granted();
    h.kit.skatteetaten.sandbox.injectFault({ endpoint: 'summertskattegrunnlag', kind: 'status', status: 404, times: 1 });
    expect(await problem(read(id))).toBe('NO_DATA');
  });
});

import { startBuiltSandbox, type BuiltSandbox } from '../../support/built-sandbox';
import { eventually } from '../../support/tcp-proxy';
import { PERSON_WITH_DEBT } from '../../support/national-ids';
import { answerLink } from './altinn2-walk';

/** `ALTINN_VERSION=2 npm start` and nothing else: an income consent end to end at the embedded Altinn 2, Maskinporten and Skatteetaten. */
describe('the sandbox serves an Altinn 2 income consent with only ALTINN_VERSION=2', () => {
  let sandbox: BuiltSandbox;
  let url: string;

  beforeAll(async () => {
    sandbox = await startBuiltSandbox({ ALTINN_VERSION: '2' });
    url = sandbox.url;
  }, 60_000);

  afterAll(() => sandbox?.stop());

  it('walks start → Altinn 2 AccessConsent page → callback → income, by flow and by consent', async () => {
    expect(sandbox.output()).toContain(`Altinn 2     simulator ${url}/sandbox/altinn2`);
    const bannerEnd = sandbox.output().length;
    const minted = await fetch(`${url}/sandbox/idp/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scope: 'consent:write consent:read income:read' }) });
    const auth = { authorization: `Bearer ${((await minted.json()) as { access_token: string }).access_token}` };
    const started = await fetch(`${url}/v1/consent-flows`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ dataset: 'income', nationalId: PERSON_WITH_DEBT, fromMonth: '2026-01', toMonth: '2026-03', returnUrl: `${url}/done` }),
    });
    expect(started.status).toBe(201);
    const flow = (await started.json()) as { id: string; authorizationUrl: string };
    expect(flow.authorizationUrl.startsWith(`${url}/sandbox/altinn2/ui/AccessConsent/?Resources=4804;210607&CoveredBy=991825827&`)).toBe(true);

    const answer = await answerLink(flow.authorizationUrl, PERSON_WITH_DEBT, 'approve');
    expect(answer.authorizationCode).toBeTruthy();
    const back = await fetch(answer.location, { redirect: 'manual' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`${url}/done?flowId=${flow.id}&status=completed`);

    const read = (await (await fetch(`${url}/v1/consent-flows/${flow.id}`, { headers: auth })).json()) as { consentId: string };
    const byFlow = await fetch(`${url}/v1/consent-flows/${flow.id}/income`, { headers: auth });
    const byConsent = await fetch(`${url}/v1/consents/${read.consentId}/income`, { headers: auth });
    expect([byFlow.status, byConsent.status]).toEqual([200, 200]);
    expect(((await byConsent.json()) as { oppgaveInntektsmottaker: unknown[] }).oppgaveInntektsmottaker).toHaveLength(3);
    // Neither the authorization code nor the national id in what the service wrote during the walk (the banner names a synthetic id).
    // Log lines reach stdout in batches, at the latest 200 ms after they are written: wait for the last request's line.
    await eventually(async () => sandbox.output().slice(bannerEnd), (output) => output.includes(`/v1/consents/${read.consentId}/income`), 5_000);
    expect(sandbox.output().slice(bannerEnd)).toContain('/v1/consent-flows/callback/altinn');
    expect(sandbox.output()).not.toContain(answer.authorizationCode);
    expect(sandbox.output().slice(bannerEnd)).not.toContain(PERSON_WITH_DEBT);
  }, 30_000);
});

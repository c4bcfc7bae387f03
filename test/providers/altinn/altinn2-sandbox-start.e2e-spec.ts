import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/free-port';
import { PERSON_WITH_DEBT } from '../../support/national-ids';
import { eventually } from '../../support/tcp-proxy';
import { answerLink } from './altinn2-walk';

const MAIN = join(__dirname, '..', '..', '..', 'dist', 'main.js');

/** `ALTINN_VERSION=2 npm start` and nothing else: an income consent end to end at the embedded Altinn 2, Maskinporten and Skatteetaten. */
describe('the sandbox serves an Altinn 2 income consent with only ALTINN_VERSION=2', () => {
  let child: ChildProcess;
  let output = '';
  let url: string;
  let cwd: string;

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'altinn2-sandbox-'));
    const port = await freePort();
    url = `http://localhost:${port}`;
    child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH ?? '', PORT: String(port), ALTINN_VERSION: '2' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await eventually(() => fetch(`${url}/health/ready`).then((r) => r.status, () => 0), (status) => status === 200, 45_000);
  }, 60_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  });

  it('walks start → Altinn 2 AccessConsent page → callback → income, by flow and by consent', async () => {
    expect(output).toContain(`Altinn 2     simulator ${url}/sandbox/altinn2`);
    const bannerEnd = output.length;
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
    expect(output.slice(bannerEnd)).toContain('/v1/consent-flows/callback/altinn');
    expect(output).not.toContain(answer.authorizationCode);
    expect(output.slice(bannerEnd)).not.toContain(PERSON_WITH_DEBT);
  }, 30_000);
});

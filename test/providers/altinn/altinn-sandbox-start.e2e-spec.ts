import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/free-port';
import { PERSON_WITH_DEBT } from '../../support/national-ids';
import { eventually } from '../../support/tcp-proxy';
import { answerConsentPage } from './altinn3.helpers';

const MAIN = join(__dirname, '..', '..', '..', 'dist', 'main.js');

/** `npm start` with no configuration: an income consent end to end at the embedded Altinn, Maskinporten and Skatteetaten. */
describe('the sandbox serves an Altinn income consent with no configuration', () => {
  let child: ChildProcess;
  let output = '';
  let url: string;
  let cwd: string;

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'altinn-sandbox-'));
    const port = await freePort();
    url = `http://localhost:${port}`;
    child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await eventually(() => fetch(`${url}/health/ready`).then((r) => r.status, () => 0), (status) => status === 200, 45_000);
  }, 60_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  });

  it('walks start → Altinn consent page → callback → income, by flow and by consent', async () => {
    expect(output).toContain('Altinn 3     simulators');
    const minted = await fetch(`${url}/sandbox/idp/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scope: 'consent:write consent:read income:read' }) });
    const auth = { authorization: `Bearer ${((await minted.json()) as { access_token: string }).access_token}` };
    const started = await fetch(`${url}/v1/consent-flows`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ dataset: 'income', nationalId: PERSON_WITH_DEBT, fromMonth: '2026-01', toMonth: '2026-03', returnUrl: `${url}/done` }),
    });
    expect(started.status).toBe(201);
    const flow = (await started.json()) as { id: string; authorizationUrl: string };
    expect(flow.authorizationUrl.startsWith(`${url}/sandbox/altinn/accessmanagement/ui/consent/request?id=`)).toBe(true);

    const answer = await answerConsentPage(flow.authorizationUrl, 'approve');
    const back = await fetch(answer.location!, { redirect: 'manual' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`${url}/done?flowId=${flow.id}&status=completed`);

    const read = (await (await fetch(`${url}/v1/consent-flows/${flow.id}`, { headers: auth })).json()) as { consentId: string };
    const byFlow = await fetch(`${url}/v1/consent-flows/${flow.id}/income`, { headers: auth });
    const byConsent = await fetch(`${url}/v1/consents/${read.consentId}/income`, { headers: auth });
    expect([byFlow.status, byConsent.status]).toEqual([200, 200]);
    expect(((await byConsent.json()) as { oppgaveInntektsmottaker: unknown[] }).oppgaveInntektsmottaker).toHaveLength(3);
  }, 30_000);
});

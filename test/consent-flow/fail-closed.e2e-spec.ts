import { startNogiSandbox, StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { consentAtNogi, FLOW_SCOPES, followCallback, startFlow } from '../support/consent-walk';
import { PERSON_WITH_DEBT } from '../support/national-ids';
import { eventually, TcpProxy } from '../support/tcp-proxy';
import { startTestApp, TEST_CLIENT, TestApp } from '../support/test-app';
import { http } from '../sandbox/nogi-sandbox.helpers';

/** Without Redis there is no state check, so nothing goes on: 503, no upstream call, nothing lost. */
describe('consent flow while Redis is unreachable', () => {
  let nogi: StartedNogiSandbox;
  let proxy: TcpProxy;
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    nogi = await startNogiSandbox({ port: 0, clients: [{ clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret, redirectUris: ['http://127.0.0.1:3000/v1/consent-flows/callback'] }] });
    proxy = await TcpProxy.start('127.0.0.1', 6379);
    app = await startTestApp({ nogiUrl: nogi.url, env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}/0` } });
    token = await app.issuer.service(FLOW_SCOPES);
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    await nogi?.close();
  });

  const ready = async () => (await http('GET', `${app.url}/health/ready`)).status;

  it('refuses to start a flow with 503, and fails a callback closed without calling NoGi; the same callback works once Redis is back', async () => {
    await eventually(ready, (s) => s === 200);
    const started = (await startFlow(app, token, { nationalId: PERSON_WITH_DEBT })).json as { id: string; authorizationUrl: string };
    const callbackUrl = await consentAtNogi(app, started.authorizationUrl, { nationalId: PERSON_WITH_DEBT });
    nogi.sandbox.clearCalls();

    proxy.cut();
    const refused = await startFlow(app, token, { nationalId: PERSON_WITH_DEBT });
    expect(refused.status).toBe(503);
    expect(refused.json).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    const callback = await followCallback(callbackUrl, 'application/json');
    expect(callback.status).toBe(503);
    expect(callback.json).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    expect(nogi.sandbox.getCalls()).toHaveLength(0);

    proxy.restore();
    await eventually(ready, (s) => s === 200);
    const retried = await followCallback(callbackUrl);
    expect(retried.status).toBe(303);
    expect(new URL(String(retried.headers.location)).searchParams.get('status')).toBe('completed');
  });
});

import { request } from 'undici';
import { startTestApp, TestApp } from '../support/test-app';
import { eventually, TcpProxy } from '../support/tcp-proxy';

describe('readiness', () => {
  let proxy: TcpProxy;
  let app: TestApp;

  beforeAll(async () => {
    proxy = await TcpProxy.start('127.0.0.1', 6379);
    app = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}/0` } });
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.close();
  });

  const ready = async () => (await request(`${app.url}/health/ready`)).statusCode;

  it('is 200 while PostgreSQL and Redis answer, 503 while Redis is unreachable, and 200 again when it returns', async () => {
    await eventually(ready, (s) => s === 200);
    proxy.cut();
    const down = await request(`${app.url}/health/ready`);
    expect(down.statusCode).toBe(503);
    expect(await down.body.json()).toMatchObject({ status: 'error', error: { redis: { status: 'down' } } });
    const live = await request(`${app.url}/health/live`);
    expect(live.statusCode).toBe(200);
    proxy.restore();
    await eventually(ready, (s) => s === 200);
  });
});

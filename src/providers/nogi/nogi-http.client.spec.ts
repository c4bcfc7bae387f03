import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../../config/app-config';
import { AppError } from '../../common/problem';
import { MetricsService } from '../../metrics/metrics.service';
import { StateStoreUnavailableError } from '../../redis/state-store';
import { UpstreamTransportError } from '../upstream/upstream';
import { NogiHttpClient, nogiFailure, nogiStatusFailure } from './nogi-http.client';

describe('nogiFailure', () => {
  it("maps NoGi's own failures to NOGI_* problems that keep the cause", () => {
    const timeout = new UpstreamTransportError('nogi', 'timeout', 'debt.collect', new Error('aborted'));
    expect(nogiFailure(timeout, 'debt collection')).toMatchObject({ code: 'NOGI_TIMEOUT', cause: timeout });
    const network = new UpstreamTransportError('nogi', 'network', 'debt.collect', new Error('ECONNRESET'));
    expect(nogiFailure(network, 'debt collection')).toMatchObject({ code: 'NOGI_UNAVAILABLE', cause: network });
    const problem = new AppError('NOGI_UNAVAILABLE', 'breaker open');
    expect(nogiFailure(problem, 'debt collection')).toBe(problem);
  });

  it('hands our own failures back unchanged: Redis down is not NoGi answering badly, nor is a bug', () => {
    const redis = new StateStoreUnavailableError(new Error('Connection is closed.'));
    expect(nogiFailure(redis, 'token')).toBe(redis);
    const bug = new TypeError("Cannot read properties of undefined (reading 'token')");
    expect(nogiFailure(bug, 'token')).toBe(bug);
  });

  it('keeps the status NoGi answered with as the cause of a status failure', () => {
    expect(nogiStatusFailure(500, 'debt.status')).toMatchObject({ code: 'NOGI_UNAVAILABLE', cause: { upstream: { upstream: 'nogi', operation: 'debt.status', status: 500 } } });
    expect(nogiStatusFailure(400, 'debt.status')).toMatchObject({ code: 'NOGI_REJECTED', cause: { upstream: { status: 400 } } });
  });
});

describe('NogiHttpClient over real HTTP', () => {
  let server: Server;
  let base: string;
  let client: NogiHttpClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'application/json' });
        // 3 MiB in chunks, no content-length: the cap must hold while the body streams.
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const more = () => {
          while (sent < 48) {
            sent += 1;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end();
        };
        more();
        return;
      }
      if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 5_000);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // 1 s: well above a loaded CI machine's first-request latency, well below /slow's 5 s.
    client = new NogiHttpClient({ nogiTimeoutMs: 1_000, httpsProxy: undefined } as unknown as AppConfig, new MetricsService());
  });

  afterAll(async () => {
    await client.onApplicationShutdown();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('parses a JSON answer', async () => {
    await expect(client.send({ operation: 'debt.get_by_consent', method: 'GET', url: `${base}/ok` })).resolves.toMatchObject({ status: 200, body: { ok: true } });
  });

  it('refuses a body over the 2 MiB cap as a network failure', async () => {
    await expect(client.send({ operation: 'debt.get_by_consent', method: 'GET', url: `${base}/big` })).rejects.toMatchObject({ name: 'UpstreamTransportError', kind: 'network' });
  });

  it('ends a call that outlives NOGI_TIMEOUT_MS as a timeout, in about that time', async () => {
    const started = Date.now();
    const error = await client.send({ operation: 'debt.get_by_consent', method: 'GET', url: `${base}/slow` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamTransportError);
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

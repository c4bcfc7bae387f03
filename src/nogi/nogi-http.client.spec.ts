import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { NogiHttpClient, NogiTransportError } from './nogi-http.client';

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
      if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 2_000);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new NogiHttpClient({ nogiTimeoutMs: 300, httpsProxy: undefined } as unknown as AppConfig, new MetricsService());
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
    await expect(client.send({ operation: 'debt.get_by_consent', method: 'GET', url: `${base}/big` })).rejects.toMatchObject({ name: 'NogiTransportError', kind: 'network' });
  });

  it('ends a call that outlives NOGI_TIMEOUT_MS as a timeout, in about that time', async () => {
    const started = Date.now();
    const error = await client.send({ operation: 'debt.get_by_consent', method: 'GET', url: `${base}/slow` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NogiTransportError);
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

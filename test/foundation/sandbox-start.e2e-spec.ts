import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort } from '../support/free-port';
import { eventually } from '../support/tcp-proxy';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

/** `npm start` on a fresh machine: no configuration at all, so sandbox mode with every part embedded. */
describe('the service started with no configuration', () => {
  let child: ChildProcess;
  let output = '';
  let url: string;
  let port: number;
  let cwd: string;

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'nogi-sandbox-'));
    port = await freePort();
    url = `http://localhost:${port}`;
    child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await eventually(
      () => request(`${url}/health/ready`).then((r) => r.statusCode, () => 0),
      (status) => status === 200,
      45_000,
    );
  }, 60_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  });

  it('prints a banner saying sandbox mode is on and how to get a caller token', () => {
    expect(output).toContain('SANDBOX MODE');
    expect(output).toContain('npm run token');
    expect(output).toContain('PostgreSQL   embedded (PGlite)');
  });

  it('serves the OpenAPI document and Swagger UI', async () => {
    const doc = await request(`${url}/docs/openapi.json`);
    expect(doc.statusCode).toBe(200);
    const body = (await doc.body.json()) as { openapi: string; components: { securitySchemes: Record<string, unknown> } };
    expect(body.openapi).toMatch(/^3\./);
    expect(body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect((await request(`${url}/docs`)).statusCode).toBe(200);
  });

  it('serves the local issuer JWKS (public key only) and the NoGi simulator', async () => {
    const jwks = (await (await request(`${url}/sandbox/idp/.well-known/jwks.json`)).body.json()) as { keys: Array<{ kty: string; d?: string }> };
    expect(jwks.keys[0].kty).toBe('RSA');
    expect(jwks.keys[0].d).toBeUndefined();
    const discovery = await request(`${url}/sandbox/nogi/.well-known/openid-configuration`);
    expect(discovery.statusCode).toBe(200);
    expect(((await discovery.body.json()) as { issuer: string }).issuer).toBe(`${url}/sandbox/nogi/`); // NoGi's issuer ends with a slash
  });

  it('listens on loopback only: its IdP mints tokens with any scope for whoever reaches it', async () => {
    const reach = (host: string) =>
      new Promise<string>((resolve) => {
        const socket = connect({ host, port, timeout: 3000 });
        socket.once('connect', () => (socket.destroy(), resolve('connected')));
        socket.once('timeout', () => (socket.destroy(), resolve('timeout')));
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
    expect(await reach('127.0.0.1')).toBe('connected');
    // This machine's own non-loopback addresses (link-local IPv6 needs a zone, so it is left out).
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && !a.internal && !a.address.startsWith('fe80:'))
      .map((a) => a!.address);
    if (external.length === 0) {
      process.stderr.write('sandbox-start: this machine has no non-loopback address; the refusal check is skipped\n');
      return;
    }
    for (const address of external) expect(`${address} ${await reach(address)}`).toBe(`${address} ECONNREFUSED`);
  });

  it("serves the accounts dataset from the embedded partner-bank simulator: register, accounts, transactions", async () => {
    const minted = await request(`${url}/sandbox/idp/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scope: 'consent:write accounts:read', national_id: '14842249091' }) });
    const { access_token: token } = (await minted.body.json()) as { access_token: string };
    const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const res = await request(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.statusCode, json: (await res.body.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const created = await call('POST', '/v1/consents', { dataset: 'accounts', durationDays: 30 });
    expect([created.status, created.json.provider]).toEqual([201, 'openbanking']);
    const accounts = await call('GET', `/v1/consents/${created.json.id}/accounts`);
    expect([accounts.status, accounts.json.accounts[0].name]).toEqual([200, 'Brukskonto Kari Nordmann']);
    const transactions = await call('GET', `/v1/consents/${created.json.id}/accounts/spv-10001-brukskonto/transactions`);
    expect([transactions.status, transactions.json.booked.length]).toEqual([200, 8]);
    expect(output).toContain('Partner bank simulator');
    // Once, in the banner's `npm run token` example; never in a log line (PSU-ID included).
    expect(output.split('14842249091')).toHaveLength(2);
  });

  it('drains and exits cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('shutdown: SIGTERM handled');
  });
});

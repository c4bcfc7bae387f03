import { SignJWT } from 'jose';
import { SandboxIssuer } from '../../src/sandbox/sandbox-issuer';
import { http } from '../sandbox/nogi-sandbox.helpers';
import { PERSON_WITH_DEBT } from '../support/national-ids';
import { startTestApp, TEST_RETURN_ORIGIN, TestApp } from '../support/test-app';
import { TEST_AUDIENCE } from '../support/test-issuer';

/** Caller authentication on a real protected route: 401 for any token problem, 403 for a missing scope. */
describe('caller authentication and authorization', () => {
  let app: TestApp;
  const body = { nationalId: PERSON_WITH_DEBT, purpose: 'presentation', returnUrl: `${TEST_RETURN_ORIGIN}/x` };
  const start = (authorization?: string) => http('POST', `${app.url}/v1/consent-flows`, { headers: authorization ? { authorization } : {}, json: body });

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('accepts a valid token with the scope', async () => {
    expect((await start(`Bearer ${await app.issuer.service(['consent:write'])}`)).status).toBe(201);
  });

  it('answers 401 without a token, with WWW-Authenticate: Bearer', async () => {
    const res = await start();
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, requestId: expect.any(String) });
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it.each([
    ['an expired token', async (i: SandboxIssuer) => i.mint({ scopes: ['consent:write'], expiresInSeconds: -120 })],
    ['a token signed with another key', async () => (await SandboxIssuer.create({ issuer: 'pending', audience: TEST_AUDIENCE, nationalIdClaim: 'pid' })).mint({ scopes: ['consent:write'] })],
    ['a token for another audience', async () => {
      const other = await SandboxIssuer.create({ issuer: 'pending', audience: 'another-api', nationalIdClaim: 'pid' });
      return other.mint({ scopes: ['consent:write'] });
    }],
    ['a token from another issuer', async (i: SandboxIssuer) => signedLike(i, { iss: 'https://evil.example' })],
    ['an unsigned (alg none) token', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: 'pending', aud: TEST_AUDIENCE, sub: 'x', scope: 'consent:write', exp: Math.floor(Date.now() / 1000) + 60 })}.`],
    ['a token not valid yet', async (i: SandboxIssuer) => signedLike(i, { nbf: Math.floor(Date.now() / 1000) + 600 })],
    ['garbage', async () => 'not.a.jwt'],
  ])('answers 401 for %s', async (_name, make) => {
    const token = await make(app.issuer.issuer);
    const res = await start(`Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('invalid_token');
    expect(res.json).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(res.text).not.toContain(token);
  });

  it('counts answered requests in /metrics by route pattern and status', async () => {
    await start(`Bearer ${await app.issuer.service(['consent:write'])}`);
    await start();
    const metrics = await http('GET', `${app.url}/metrics`);
    expect(metrics.text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/v1\/consent-flows",status="201"\} [1-9]/);
    expect(metrics.text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/v1\/consent-flows",status="401"\} [1-9]/);
  });

  it('answers 401 for another authorization scheme', async () => {
    expect((await start('Basic dXNlcjpwYXNz')).status).toBe(401);
  });

  it('answers 403 insufficient_scope for a valid token without the scope', async () => {
    const res = await start(`Bearer ${await app.issuer.service(['consent:read', 'debt:read'])}`);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toContain('insufficient_scope');
    expect(res.json).toMatchObject({ code: 'INSUFFICIENT_SCOPE' });
  });

  it('stops accepting a token that was verified (and remembered) once it expires', async () => {
    const token = await app.issuer.issuer.mint({ scopes: ['consent:write'], expiresInSeconds: 5 });
    expect((await start(`Bearer ${token}`)).status).toBe(201);
    const realNow = Date.now;
    Date.now = () => realNow() + 40_000;
    try {
      expect((await start(`Bearer ${token}`)).status).toBe(401);
    } finally {
      Date.now = realNow;
    }
  });

  it('accepts a small clock skew on exp', async () => {
    const token = await app.issuer.issuer.mint({ scopes: ['consent:write'], expiresInSeconds: -10 });
    expect((await start(`Bearer ${token}`)).status).toBe(201);
  });
});

async function signedLike(issuer: SandboxIssuer, overrides: Record<string, unknown>): Promise<string> {
  const base = JSON.parse(Buffer.from((await issuer.mint({ scopes: ['consent:write'] })).split('.')[1], 'base64url').toString());
  const key = (issuer as unknown as { privateKey: Parameters<SignJWT['sign']>[0] }).privateKey;
  return new SignJWT({ ...base, ...overrides }).setProtectedHeader({ alg: 'RS256', kid: issuer.publicJwk.kid }).sign(key);
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

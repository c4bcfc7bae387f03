import { createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { type AltinnKit, CLIENT_ID, personUrn, startAltinnKit } from './altinn-test-kit';

/**
 * The simulator's checks are the grant contract our client is held to: each rule broken alone is
 * refused, the same grant unbroken is accepted.
 */
describe('Maskinporten simulator: the JWT-bearer grant contract', () => {
  let kit: AltinnKit;
  beforeAll(async () => {
    kit = await startAltinnKit();
  });
  afterAll(() => kit.close());
  beforeEach(() => kit.maskinporten.sandbox.reset());

  interface Grant {
    header?: Record<string, unknown>;
    claims?: Record<string, unknown>;
    drop?: string[];
    key?: Parameters<SignJWT['sign']>[0];
  }
  const assertion = async (g: Grant = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = { aud: kit.maskinporten.sandbox.issuer, iss: CLIENT_ID, scope: 'skatteetaten:inntekt', iat: now, exp: now + 100, jti: randomUUID(), ...g.claims };
    for (const name of g.drop ?? []) delete claims[name];
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: kit.key.kid, ...g.header } as never).sign(g.key ?? createPrivateKey(kit.key.privateKeyPem));
  };
  const post = async (body: string, contentType = 'application/x-www-form-urlencoded') => {
    const response = await fetch(`${kit.maskinporten.url}/token`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const grant = async (g: Grant = {}) => post(new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await assertion(g) }).toString());

  it('publishes metadata whose issuer is the grant audience, with consent authorization details', async () => {
    const metadata = (await (await fetch(`${kit.maskinporten.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: `${kit.maskinporten.url}/`,
      token_endpoint: `${kit.maskinporten.url}/token`,
      jwks_uri: `${kit.maskinporten.url}/jwk`,
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
      authorization_details_types_supported: ['urn:altinn:systemuser', 'urn:altinn:consent'],
    });
    const jwks = (await (await fetch(`${kit.maskinporten.url}/jwk`)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('accepts a well-formed grant', async () => {
    const { status, body } = await grant();
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 120, scope: 'skatteetaten:inntekt', access_token: expect.any(String) });
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, () => Grant, string, RegExp]>([
    ['aud = the token endpoint', () => ({ claims: { aud: `${kit.maskinporten.url}/token` } }), 'invalid_grant', /aud/],
    ['aud without the trailing slash', () => ({ claims: { aud: kit.maskinporten.url } }), 'invalid_grant', /aud/],
    ['aud as an array', () => ({ claims: { aud: [kit.maskinporten.sandbox.issuer] } }), 'invalid_grant', /aud/],
    ['iat 30 s in the past', () => ({ claims: { iat: now() - 30, exp: now() + 60 } }), 'invalid_grant', /iat/],
    ['a lifetime over 120 s', () => ({ claims: { exp: now() + 121 } }), 'invalid_grant', /lifetime/],
    ['an expired assertion', () => ({ claims: { iat: now() - 5, exp: now() - 1 } }), 'invalid_grant', /Expired/],
    ['an unknown claim (nbf)', () => ({ claims: { nbf: now() } }), 'invalid_grant', /Unknown claims: nbf/],
    ['an unknown claim (sub)', () => ({ claims: { sub: CLIENT_ID } }), 'invalid_grant', /Unknown claims: sub/],
    ['an unknown kid', () => ({ header: { kid: 'other' } }), 'invalid_grant', /kid/],
    ['a signature by another key', () => ({ key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }), 'invalid_grant', /signature/],
    ['kid and x5c together', () => ({ header: { x5c: ['AAAA'] } }), 'invalid_grant', /not both/],
    ['an unknown client', () => ({ claims: { iss: 'someone-else' } }), 'invalid_client', /Unknown client/],
    ['a scope the client lacks', () => ({ claims: { scope: 'skatteetaten:kravogbetalinger' } }), 'invalid_scope', /invalid scopes/],
    ['no scope', () => ({ drop: ['scope'] }), 'invalid_scope', /invalid scopes/],
    ['an authorization_details type we do not use', () => ({ claims: { authorization_details: [{ type: 'urn:altinn:systemuser' }] } }), 'invalid_authorization_details', /type/],
    ['a consent entry with extra fields', () => ({ claims: { authorization_details: [{ type: 'urn:altinn:consent', id: randomUUID(), from: personUrn('14842249091'), to: 'x' }] } }), 'invalid_authorization_details', /type, id and from/],
  ])('refuses a grant with %s', async (_name, make, error, description) => {
    const { status, body } = await grant(make());
    expect(status).toBe(400);
    expect(body.error).toBe(error);
    expect(body.error_description).toMatch(description);
  });

  it('refuses a jti used before', async () => {
    const jti = randomUUID();
    expect((await grant({ claims: { jti } })).status).toBe(200);
    expect(await grant({ claims: { jti } })).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Grant is used before' } });
  });

  it('refuses another grant type, a missing assertion and a JSON body', async () => {
    expect((await post(new URLSearchParams({ grant_type: 'client_credentials' }).toString())).body.error).toBe('unsupported_grant_type');
    expect((await post(new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' }).toString())).body.error).toBe('invalid_request');
    const json = await post(JSON.stringify({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await assertion() }), 'application/json');
    expect(json).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('keeps a call log without the assertion or the token', async () => {
    const a = await assertion();
    const { body } = await post(new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: a }).toString());
    const log = JSON.stringify(kit.maskinporten.sandbox.getCalls());
    expect(log).not.toContain(a.split('.')[2]);
    expect(log).not.toContain(String(body.access_token).split('.')[2]);
    const control = (await (await fetch(`${kit.maskinporten.url}/_sandbox/calls?endpoint=token`)).json()) as unknown[];
    expect(control).toHaveLength(1);
  });

  it('takes faults and a reset over its control routes', async () => {
    const injected = await fetch(`${kit.maskinporten.url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ endpoint: 'token', kind: 'status', status: 500, times: 1 }) });
    expect(injected.status).toBe(201);
    expect(await grant()).toMatchObject({ status: 500, body: { error: 'server_error' } });
    expect((await grant()).status).toBe(200);
    expect((await fetch(`${kit.maskinporten.url}/_sandbox/reset`, { method: 'POST' })).status).toBe(204);
    expect(kit.maskinporten.sandbox.getCalls()).toHaveLength(0);
  });
});

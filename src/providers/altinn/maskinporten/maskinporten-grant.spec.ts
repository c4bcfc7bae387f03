import { createPublicKey } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import { generateSandboxClientKey } from '../sandbox/maskinporten/sandbox-client-keys';
import { grantForm, signGrant } from './maskinporten-grant';
import { loadMaskinportenConfig } from './maskinporten.config';

describe('signGrant (the JWT-bearer assertion)', () => {
  const key = generateSandboxClientKey('kid-1');
  const loaded = loadMaskinportenConfig({ MASKINPORTEN_CLIENT_ID: 'client-1', MASKINPORTEN_PRIVATE_KEY: key.privateKeyPem, MASKINPORTEN_KID: 'kid-1' });
  if (!loaded.ok) throw new Error('config');
  const config = loaded.config;
  const audience = 'https://test.maskinporten.no/';

  it('carries exactly aud, iss, scope, iat, exp and jti, signed RS256 with our kid', async () => {
    const assertion = await signGrant(config, { audience, scope: 'altinn:consentrequests.write' });
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'RS256', kid: 'kid-1' });
    const claims = decodeJwt(assertion);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'scope']);
    expect(claims).toMatchObject({ aud: audience, iss: 'client-1', scope: 'altinn:consentrequests.write' });
    expect(typeof claims.aud).toBe('string');
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(5);
    expect((claims.exp as number) - (claims.iat as number)).toBeLessThanOrEqual(120);
    await expect(compactVerify(assertion, createPublicKey(key.privateKeyPem))).resolves.toBeDefined();
  });

  it('uses a fresh jti every time', async () => {
    const jtis = new Set<unknown>();
    for (let i = 0; i < 5; i++) jtis.add(decodeJwt(await signGrant(config, { audience, scope: 's' })).jti);
    expect(jtis.size).toBe(5);
    for (const jti of jtis) expect(jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('adds the Altinn consent as authorization_details for a consent grant, and nothing more', async () => {
    const consent = { id: '0196f4c2-4b7a-7c33-9a51-3f1e2d7c8b90', from: 'urn:altinn:person:identifier-no:14842249091' };
    const claims = decodeJwt(await signGrant(config, { audience, scope: 'skatteetaten:inntekt', consent }));
    expect(Object.keys(claims).sort()).toEqual(['aud', 'authorization_details', 'exp', 'iat', 'iss', 'jti', 'scope']);
    expect(claims.authorization_details).toEqual([{ type: 'urn:altinn:consent', id: consent.id, from: consent.from }]);
  });

  it('sends x5c instead of kid for a certificate binding, with the key algorithm', async () => {
    const assertion = await signGrant({ ...config, algorithm: 'RS384', binding: { x5c: ['AAAA'] } }, { audience, scope: 's' });
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'RS384', x5c: ['AAAA'] });
  });

  it('posts the grant as a form', () => {
    const form = new URLSearchParams(grantForm('a.b.c'));
    expect([...form.keys()]).toEqual(['grant_type', 'assertion']);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
  });
});

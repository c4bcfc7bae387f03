import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { decodeJwt } from 'jose';
import { MaskinportenGrantRefusedError } from '../../../src/providers/altinn/maskinporten/maskinporten.client';
import { loadMaskinportenConfig } from '../../../src/providers/altinn/maskinporten/maskinporten.config';
import { generateSandboxBusinessCertificate } from '../../../src/providers/altinn/sandbox/maskinporten/sandbox-business-certificate';
import { RedisStateStore } from '../../../src/redis/redis-state.store';
import { createRedisClient } from '../../../src/redis/redis.module';
import { TEST_REDIS_URL } from '../../support/test-env';
import { type AltinnKit, BANK_ORG, CLIENT_ID, personUrn, startAltinnKit } from './altinn-test-kit';

const PERSON = '14842249091';
const OTHER = '29868099311';
const summert = (year: string) => [{ resource: 'ske-samtykke-sbl-summert-skattegrunnlag', metadata: { inntektsaar: year } }];

describe('Maskinporten client against the Maskinporten simulator', () => {
  let kit: AltinnKit;
  let redis: Redis;

  beforeAll(async () => {
    kit = await startAltinnKit({ timeoutMs: 1000 });
    redis = createRedisClient(TEST_REDIS_URL, new Logger('test'));
    await new Promise((resolve) => redis.once('ready', resolve));
  });
  afterAll(async () => {
    await kit.close();
    await redis.quit();
  });
  beforeEach(() => kit.maskinporten.sandbox.reset());

  it('gets a token with a grant of the documented shape, and caches it', async () => {
    const client = kit.client();
    const token = await client.token('altinn:consentrequests.write');
    expect(await client.token('altinn:consentrequests.write')).toBe(token);
    const grants = kit.maskinporten.sandbox.getCalls('token');
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({
      status: 200,
      contentType: 'application/x-www-form-urlencoded',
      grantType: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: { alg: 'RS256', kid: kit.key.kid, claims: ['aud', 'exp', 'iat', 'iss', 'jti', 'scope'], aud: kit.maskinporten.sandbox.issuer, iss: CLIENT_ID, consentGrant: false },
    });
    expect(grants[0].assertion?.lifetime).toBeLessThanOrEqual(120);
    expect(decodeJwt(token)).toMatchObject({ scope: 'altinn:consentrequests.write', client_id: CLIENT_ID, consumer: { authority: 'iso6523-actorid-upis', ID: `0192:${BANK_ORG}` } });
  });

  it('sends one grant for 20 concurrent calls on two replicas sharing Redis', async () => {
    const prefix = `mpske-${randomUUID()}:`;
    const [a, b] = [kit.client(new RedisStateStore(redis, prefix)), kit.client(new RedisStateStore(redis, prefix))];
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).token('skatteetaten:inntekt')));
    expect(new Set(tokens).size).toBe(1);
    expect(kit.maskinporten.sandbox.getCalls('token')).toHaveLength(1);
    const stored = await redis.get(`${prefix}maskinporten-token:scope:skatteetaten:inntekt`);
    expect(stored).toBeTruthy();
    expect(stored).not.toContain(tokens[0]);
  });

  it('gets a consent token per (consent, scope) that names the consent, the person and the bank', async () => {
    const consent = kit.addConsent({ from: personUrn(PERSON), rights: summert('2025') });
    const other = kit.addConsent({ from: personUrn(PERSON), rights: summert('2024') });
    const client = kit.client();
    const token = await client.consentToken('skatteetaten:summertskattegrunnlag', { id: consent.id, from: consent.from });
    expect(await client.consentToken('skatteetaten:summertskattegrunnlag', { id: consent.id, from: consent.from })).toBe(token);
    await client.consentToken('skatteetaten:summertskattegrunnlag', { id: other.id, from: other.from });
    const grants = kit.maskinporten.sandbox.getCalls('token');
    expect(grants).toHaveLength(2);
    expect(grants[0].assertion?.claims).toEqual(['aud', 'authorization_details', 'exp', 'iat', 'iss', 'jti', 'scope']);
    // The simulator's log names each grant's consent request (the bench counts tokens per grant with it).
    expect(grants.map((g) => g.assertion?.consentId)).toEqual([consent.id, other.id]);
    expect(decodeJwt(token).authorization_details).toEqual([
      {
        type: 'urn:altinn:consent',
        id: consent.id,
        from: personUrn(PERSON),
        to: { authority: 'iso6523-actorid-upis', ID: `0192:${BANK_ORG}` },
        consented: consent.consented?.toISOString(),
        validTo: consent.validTo.toISOString(),
        consentRights: [{ action: ['consent'], resource: [{ type: 'urn:altinn:resource', value: 'ske-samtykke-sbl-summert-skattegrunnlag' }], metadata: { inntektsaar: '2025' } }],
      },
    ]);
  });

  it.each([
    ['not accepted', { status: 'created' as const }, PERSON],
    ['revoked', { status: 'revoked' as const }, PERSON],
    ['expired', { validTo: new Date(Date.now() - 1000) }, PERSON],
    ['for another person', {}, OTHER],
    ['given to another organisation', { to: 'urn:altinn:organization:identifier-no:910000000' }, PERSON],
  ])('refuses a consent grant for a consent %s with MaskinportenGrantRefusedError', async (_name, change, grantPerson) => {
    const consent = kit.addConsent({ from: personUrn(PERSON), rights: summert('2025'), ...change });
    const refused = await kit.client().consentToken('skatteetaten:summertskattegrunnlag', { id: consent.id, from: personUrn(grantPerson) }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MaskinportenGrantRefusedError);
    expect(refused).toMatchObject({ code: 'MASKINPORTEN_REJECTED', status: 502, error: 'invalid_authorization_details', consentGrant: true });
  });

  it('refuses a consent grant whose scope is not the consented resource', async () => {
    const consent = kit.addConsent({ from: personUrn(PERSON), rights: summert('2025') });
    await expect(kit.client().consentToken('skatteetaten:inntekt', { id: consent.id, from: consent.from })).rejects.toMatchObject({ error: 'invalid_scope', consentGrant: true });
  });

  it('refuses an unknown consent and a scope the client does not have', async () => {
    await expect(kit.client().consentToken('skatteetaten:inntekt', { id: randomUUID(), from: personUrn(PERSON) })).rejects.toBeInstanceOf(MaskinportenGrantRefusedError);
    await expect(kit.client().token('skatteetaten:kravogbetalinger')).rejects.toMatchObject({ error: 'invalid_scope', consentGrant: false });
  });

  it("refuses our grant when Maskinporten's clock has moved on (expired assertion)", async () => {
    kit.maskinporten.sandbox.advanceClock(200_000);
    await expect(kit.client().token('skatteetaten:inntekt')).rejects.toMatchObject({ name: 'MaskinportenGrantRefusedError', error: 'invalid_grant' });
  });

  it("carries Maskinporten's invalid_grant for a reused jti as a refusal, not an outage", async () => {
    kit.maskinporten.sandbox.injectFault({ endpoint: 'token', kind: 'status', status: 400, error: 'invalid_grant', errorDescription: 'Grant is used before', times: 1 });
    await expect(kit.client().token('skatteetaten:inntekt')).rejects.toMatchObject({ name: 'MaskinportenGrantRefusedError', error: 'invalid_grant' });
  });

  it('maps 5xx to MASKINPORTEN_UNAVAILABLE and no answer to MASKINPORTEN_TIMEOUT within the timeout', async () => {
    kit.maskinporten.sandbox.injectFault({ endpoint: 'token', kind: 'status', status: 503, times: 1 });
    await expect(kit.client().token('skatteetaten:inntekt')).rejects.toMatchObject({ code: 'MASKINPORTEN_UNAVAILABLE' });
    kit.maskinporten.sandbox.injectFault({ endpoint: 'token', kind: 'timeout', times: 1 });
    const started = Date.now();
    await expect(kit.client().token('skatteetaten:inntekt')).rejects.toMatchObject({ code: 'MASKINPORTEN_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1800);
  });

  it('answers MASKINPORTEN_BAD_RESPONSE when the metadata names another issuer than the configured one', async () => {
    // Same server under another name: its metadata still says 127.0.0.1.
    const config = { ...kit.config, issuer: kit.maskinporten.sandbox.issuer.replace('127.0.0.1', 'localhost') };
    await expect(kit.client(undefined, config).token('skatteetaten:inntekt')).rejects.toMatchObject({ code: 'MASKINPORTEN_BAD_RESPONSE' });
    expect(kit.maskinporten.sandbox.getCalls('token')).toHaveLength(0);
  });

  it('signs with a business certificate (x5c) the simulator trusts, and is refused with one it does not', async () => {
    const trusted = await generateSandboxBusinessCertificate(BANK_ORG);
    const untrusted = await generateSandboxBusinessCertificate(BANK_ORG);
    const certKit = await startAltinnKit({ certificateCaPem: trusted.caPem });
    try {
      const configOf = (cert: typeof trusted) => {
        const loaded = loadMaskinportenConfig({ MASKINPORTEN_ISSUER: certKit.maskinporten.sandbox.issuer, MASKINPORTEN_CLIENT_ID: CLIENT_ID, MASKINPORTEN_PRIVATE_KEY: cert.privateKeyPem, MASKINPORTEN_CERT_CHAIN: cert.chainPem });
        if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
        return loaded.config;
      };
      const token = await certKit.client(undefined, configOf(trusted)).token('skatteetaten:inntekt');
      expect(decodeJwt(token).client_amr).toBe('virksomhetssertifikat');
      expect(certKit.maskinporten.sandbox.getCalls('token')[0].assertion).toMatchObject({ x5cLength: 2, kid: undefined });
      await expect(certKit.client(undefined, configOf(untrusted)).token('skatteetaten:inntekt')).rejects.toMatchObject({ error: 'invalid_grant' });
    } finally {
      await certKit.close();
    }
  });
});

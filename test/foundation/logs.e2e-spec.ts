import { request } from 'undici';
import { DataSource } from 'typeorm';
import { ConsentEntity } from '../../src/database/entities';
import { freshNationalId } from '../support/national-ids';
import { startTestApp, TEST_RETURN_ORIGIN, TestApp } from '../support/test-app';

/**
 * National ids, tokens and secrets never reach the logs: not from request bodies or headers, not
 * from validation errors, not from a failing database insert (TypeORM prints parameters by default).
 */
describe('logs', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('hold no national id, token or secret after requests that carry them, failed validation and a failing insert', async () => {
    const nid = freshNationalId();
    const token = await app.issuer.service(['consent:write', 'consent:read']);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-national-id': nid };
    await request(`${app.url}/v1/consent-flows`, { method: 'POST', headers, body: JSON.stringify({ nationalId: nid, purpose: 'presentation', returnUrl: `${TEST_RETURN_ORIGIN}/` }) });
    await request(`${app.url}/v1/consent-flows`, { method: 'POST', headers, body: JSON.stringify({ nationalId: nid, purpose: 'x', returnUrl: 'https://evil.example' }) });
    await request(`${app.url}/v1/consent-flows/callback?code=${nid}&state=${nid}`, { headers: { accept: 'application/json' } });

    // A failing insert whose parameters include the national id (a unique violation on provider_consent_id).
    const dataSource = app.app.get(DataSource);
    const row = { id: crypto.randomUUID(), providerConsentId: `dup-${nid}`, purpose: 'presentation' as const, scope: 'debt.unsecured.presentation', source: 'agreement' as const, status: 'active' as const, nationalIdHash: null };
    await dataSource.getRepository(ConsentEntity).insert(row);
    await expect(dataSource.getRepository(ConsentEntity).insert({ ...row, id: crypto.randomUUID() })).rejects.toThrow();

    await new Promise((r) => setTimeout(r, 100));
    const text = app.logs.join('\n');
    expect(app.logs.length).toBeGreaterThan(3);
    expect(text).toContain('Query failed');
    expect(text).not.toContain(nid);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]);
    expect(text).not.toMatch(/bank-test-secret/);
  });
});

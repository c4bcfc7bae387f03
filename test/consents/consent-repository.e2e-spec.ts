import { randomUUID } from 'node:crypto';
import { ConsentRepository } from '../../src/consents/consent.repository';
import { isUniqueViolation } from '../../src/consents/consent.repository';
import { startTestApp, TestApp } from '../support/test-app';

/** The feed can learn a NoGi consent before the flow or agreement that created it is recorded. */
describe('ConsentRepository.insert', () => {
  let app: TestApp;
  let repo: ConsentRepository;
  const base = { clientConsentId: null, purpose: 'presentation' as const, scope: 'debt.unsecured.presentation', durationDays: 90, createdBy: 'test' };

  beforeAll(async () => {
    app = await startTestApp({ listen: false });
    repo = app.app.get(ConsentRepository);
  });
  afterAll(() => app?.close());

  it('adopts a row the feed recorded as external, keeping its id and an ended status', async () => {
    const nogiConsentId = randomUUID();
    const external = await repo.insert({ ...base, nogiConsentId, source: 'external', status: 'archived', nationalIdHash: null, expiresAt: null });
    const adopted = await repo.insert({ ...base, nogiConsentId, source: 'flow', status: 'active', nationalIdHash: 'a'.repeat(64), expiresAt: new Date(Date.now() + 86_400_000) });
    expect(adopted.id).toBe(external.id);
    expect(adopted).toMatchObject({ source: 'flow', status: 'archived', nationalIdHash: 'a'.repeat(64), durationDays: 90 });
  });

  it('refuses a second row for a NoGi consent that already has a customer', async () => {
    const nogiConsentId = randomUUID();
    await repo.insert({ ...base, nogiConsentId, source: 'agreement', status: 'active', nationalIdHash: 'b'.repeat(64), expiresAt: null });
    const error = await repo.insert({ ...base, nogiConsentId, source: 'flow', status: 'active', nationalIdHash: 'c'.repeat(64), expiresAt: null }).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });
});

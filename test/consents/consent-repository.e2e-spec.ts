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
    const providerConsentId = randomUUID();
    const external = await repo.insert({ ...base, providerConsentId, source: 'external', status: 'archived', nationalIdHash: null, expiresAt: null });
    const adopted = await repo.insert({ ...base, providerConsentId, source: 'flow', status: 'active', nationalIdHash: 'a'.repeat(64), expiresAt: new Date(Date.now() + 86_400_000) });
    expect(adopted.id).toBe(external.id);
    expect(adopted).toMatchObject({ source: 'flow', status: 'archived', nationalIdHash: 'a'.repeat(64), durationDays: 90 });
  });

  it('refuses a second row for a NoGi consent that already has a customer', async () => {
    const providerConsentId = randomUUID();
    await repo.insert({ ...base, providerConsentId, source: 'agreement', status: 'active', nationalIdHash: 'b'.repeat(64), expiresAt: null });
    const error = await repo.insert({ ...base, providerConsentId, source: 'flow', status: 'active', nationalIdHash: 'c'.repeat(64), expiresAt: null }).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });

  it('keeps consent ids per provider: the same id at another provider is another consent, with its dataset and parameters', async () => {
    const providerConsentId = randomUUID();
    const nogi = await repo.insert({ ...base, providerConsentId, source: 'flow', status: 'active', nationalIdHash: 'd'.repeat(64), expiresAt: null });
    const altinn = await repo.insert({
      ...base,
      provider: 'altinn',
      dataset: 'income',
      purpose: 'processing',
      scope: 'ske-samtykke-sbl-inntekt',
      parameters: { fromMonth: '2026-01', toMonth: '2026-06' },
      providerConsentId,
      source: 'flow',
      status: 'active',
      nationalIdHash: 'd'.repeat(64),
      expiresAt: null,
    });
    expect(altinn.id).not.toBe(nogi.id);
    expect(nogi).toMatchObject({ provider: 'nogi', dataset: 'debt', parameters: null, secretCiphertext: null });
    expect(altinn).toMatchObject({ provider: 'altinn', dataset: 'income', parameters: { fromMonth: '2026-01', toMonth: '2026-06' } });
    expect((await repo.findByProviderConsentId('altinn', providerConsentId))?.id).toBe(altinn.id);
    expect((await repo.findByProviderConsentId('nogi', providerConsentId))?.id).toBe(nogi.id);
  });
});

import type { ConsentEntity } from '../database/entities/consent.entity';
import { toConsentResponse } from './consent.mapper';

const base: ConsentEntity = {
  id: '3f1c2a9e-1b2c-4d5e-8f90-123456789abc',
  provider: 'nogi',
  dataset: 'debt',
  providerConsentId: 'nogi-1',
  parameters: null,
  secretCiphertext: null,
  clientConsentId: null,
  purpose: 'presentation',
  scope: 'debt.unsecured.presentation',
  durationDays: 30,
  source: 'agreement',
  status: 'active',
  nationalIdHash: 'a'.repeat(64),
  createdBy: 'client',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-01T00:00:00Z'),
  expiresAt: new Date(Date.now() + 86_400_000),
  revokedAt: null,
  lastUsedAt: null,
  lastEventAt: null,
};

describe('consent response mapping', () => {
  it('leaves out the national id hash, NoGi id and empty optional fields', () => {
    const response = toConsentResponse({ ...base, secretCiphertext: 'v1.sealed-psu-id' });
    expect(Object.keys(response).sort()).toEqual(['createdAt', 'dataset', 'expiresAt', 'id', 'provider', 'purpose', 'scope', 'source', 'status']);
    expect(JSON.stringify(response)).not.toContain('nogi-1');
    expect(JSON.stringify(response)).not.toContain('sealed');
  });

  it('shows an active consent whose time has passed as expired', () => {
    expect(toConsentResponse({ ...base, expiresAt: new Date(Date.now() - 1000) }).status).toBe('expired');
  });

  it("shows the dataset's parameters when it has any", () => {
    const response = toConsentResponse({ ...base, provider: 'altinn', dataset: 'tax-assessment', purpose: 'processing', parameters: { incomeYear: 2025 } });
    expect(response).toMatchObject({ dataset: 'tax-assessment', provider: 'altinn', parameters: { incomeYear: 2025 } });
  });
});

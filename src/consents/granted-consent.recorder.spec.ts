import { AppError } from '../common/problem';
import { MetricsService } from '../metrics/metrics.service';
import { ProviderRegistry } from '../providers/provider-registry';
import { GrantedConsentRecorder } from './granted-consent.recorder';

describe('GrantedConsentRecorder', () => {
  const granted = { provider: 'nogi' as const, providerConsentId: 'nogi-1', requestId: 'req-1', context: { consentId: 'c-1' } };
  let revoked: string[];
  let metrics: MetricsService;
  let recorder: GrantedConsentRecorder;

  beforeEach(() => {
    revoked = [];
    const registry = new ProviderRegistry();
    registry.register({ provider: 'nogi', revoke: (id: string) => (revoked.push(id), Promise.resolve('revoked' as const)) });
    metrics = new MetricsService();
    recorder = new GrantedConsentRecorder(registry, metrics);
  });
  const unrecorded = async () => (await metrics.registry.getSingleMetricAsString('consent_unrecorded_total')).split('\n').filter((l) => !l.startsWith('#'));

  it('answers the record once a retry makes it, and revokes nothing', async () => {
    let calls = 0;
    const write = () => (++calls < 2 ? Promise.reject(new Error('connection terminated')) : Promise.resolve('row'));
    await expect(recorder.record(granted, write)).resolves.toBe('row');
    expect(calls).toBe(2);
    expect(revoked).toEqual([]);
  });

  it('revokes the consent at the provider when our database stays away, and counts it', async () => {
    let calls = 0;
    const write = () => (calls++, Promise.reject(new Error('connection terminated')));
    await expect(recorder.record(granted, write)).resolves.toBeNull();
    expect(calls).toBe(3);
    expect(revoked).toEqual(['nogi-1']);
    expect(await unrecorded()).toEqual(['consent_unrecorded_total{provider="nogi",outcome="revoked"} 1']);
  });

  it('throws an AppError from the write as it came, at once, and never revokes (the row it conflicts with may be this consent)', async () => {
    let calls = 0;
    const conflict = new AppError('CONSENT_CONFLICT', 'This consent is already registered.');
    const write = () => (calls++, Promise.reject(conflict));
    await expect(recorder.record(granted, write)).rejects.toBe(conflict);
    expect(calls).toBe(1);
    expect(revoked).toEqual([]);
    expect(await unrecorded()).toEqual([]);
  });
});

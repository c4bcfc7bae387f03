import { CircuitState } from 'cockatiel';
import { MetricsService } from '../../metrics/metrics.service';
import { UpstreamCircuits } from './upstream-circuit';

const failing = () => Promise.reject(new Error('ECONNRESET'));
const is5xx = (r: { status: number }) => r.status >= 500;
const family = (operation: string) => (operation.startsWith('token') ? 'token' : 'data');

describe('UpstreamCircuits', () => {
  it('gives each upstream its own breakers, labelled by upstream: one failing upstream does not stop another', async () => {
    const metrics = new MetricsService();
    const nogi = new UpstreamCircuits(metrics, 'nogi', ['token', 'data'], family, { failureThreshold: 2, halfOpenAfterMs: 60_000 });
    const altinn = new UpstreamCircuits(metrics, 'altinn', ['token', 'data'], family, { failureThreshold: 2, halfOpenAfterMs: 60_000 });
    for (let i = 0; i < 2; i++) await expect(nogi.run('data.get', failing, is5xx)).rejects.toThrow('ECONNRESET');
    expect(nogi.state('data')).toBe(CircuitState.Open);
    await expect(nogi.run('data.get', () => Promise.resolve({ status: 200 }), is5xx)).rejects.toMatchObject({ code: 'NOGI_UNAVAILABLE', status: 503 });

    // The other upstream's breaker of the same family name is untouched and still calls out.
    expect(altinn.state('data')).toBe(CircuitState.Closed);
    await expect(altinn.run('data.get', () => Promise.resolve({ status: 200 }), is5xx)).resolves.toEqual({ status: 200 });

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/upstream_circuit_state\{upstream="nogi",api="data"\} 1/);
    expect(text).toMatch(/upstream_circuit_state\{upstream="altinn",api="data"\} 0/);
    expect(text).toMatch(/upstream_circuit_rejections_total\{upstream="nogi",api="data"\} 1/);
    expect(text).not.toMatch(/upstream_circuit_rejections_total\{upstream="altinn"/);
  });
});

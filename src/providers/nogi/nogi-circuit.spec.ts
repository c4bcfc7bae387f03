import { CircuitState } from 'cockatiel';
import { AppError } from '../../common/problem';
import { MetricsService } from '../../metrics/metrics.service';
import { apiOf, humanPaced, NogiCircuits } from './nogi-circuit';

const failing = () => Promise.reject(new Error('ECONNRESET'));
const answer = (status: number) => () => Promise.resolve({ status });
const is5xx = (r: { status: number }) => r.status >= 500;

describe('NogiCircuits', () => {
  it('maps operations to their API family', () => {
    expect(['token.client_credentials.debt', 'token.authorization_code', 'discovery', 'debt.collect', 'debt.revoke', 'agreement.register', 'feed.page'].map(apiOf)).toEqual([
      'token',
      'token',
      'token',
      'debt',
      'debt',
      'agreement',
      'feed',
    ]);
  });

  it('opens after consecutive transport errors or 5xx, rejects at once without calling, and closes after a good trial call', async () => {
    const metrics = new MetricsService();
    const circuits = new NogiCircuits(metrics, { failureThreshold: 3, halfOpenAfterMs: 100 });
    await expect(circuits.run('debt.get_by_consent', failing, is5xx)).rejects.toThrow('ECONNRESET');
    // A 5xx answer is counted but handed back to the caller unchanged.
    await expect(circuits.run('debt.get_by_consent', answer(503), is5xx)).resolves.toEqual({ status: 503 });
    expect(circuits.state('debt')).toBe(CircuitState.Closed);
    await expect(circuits.run('debt.status', answer(500), is5xx)).resolves.toEqual({ status: 500 });
    expect(circuits.state('debt')).toBe(CircuitState.Open);

    const call = jest.fn(answer(200));
    const rejected = await circuits.run('debt.get_by_consent', call, is5xx).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(AppError);
    expect((rejected as AppError).code).toBe('NOGI_UNAVAILABLE');
    expect(call).not.toHaveBeenCalled();
    // Other families are not affected.
    await expect(circuits.run('agreement.register', answer(200), is5xx)).resolves.toEqual({ status: 200 });

    await new Promise((r) => setTimeout(r, 120));
    await expect(circuits.run('debt.get_by_consent', call, is5xx)).resolves.toEqual({ status: 200 });
    expect(circuits.state('debt')).toBe(CircuitState.Closed);

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/upstream_circuit_state\{upstream="nogi",api="debt"\} 0/);
    expect(text).toMatch(/upstream_circuit_rejections_total\{upstream="nogi",api="debt"\} 1/);
  });

  it('a 4xx answer counts as a success and resets the count', async () => {
    const circuits = new NogiCircuits(new MetricsService(), { failureThreshold: 2, halfOpenAfterMs: 100 });
    await circuits.run('feed.page', answer(500), is5xx);
    await circuits.run('feed.page', answer(403), is5xx);
    await circuits.run('feed.page', answer(500), is5xx);
    expect(circuits.state('feed')).toBe(CircuitState.Closed);
  });

  it('sends a human-paced call once although the breaker is open, and keeps refusing every other call', async () => {
    const metrics = new MetricsService();
    const circuits = new NogiCircuits(metrics, { failureThreshold: 2, halfOpenAfterMs: 60_000 });
    await circuits.run('token.client_credentials.feed', answer(500), is5xx);
    await circuits.run('token.client_credentials.feed', answer(500), is5xx);
    expect(circuits.state('token')).toBe(CircuitState.Open);

    const exchange = jest.fn(answer(200));
    await expect(humanPaced(() => circuits.run('token.authorization_code', exchange, is5xx))).resolves.toEqual({ status: 200 });
    expect(exchange).toHaveBeenCalledTimes(1);
    // Its failures reach the caller as they are (here a 5xx answer, returned like any other).
    await expect(humanPaced(() => circuits.run('token.authorization_code', answer(503), is5xx))).resolves.toEqual({ status: 503 });
    await expect(humanPaced(() => circuits.run('token.authorization_code', failing, is5xx))).rejects.toThrow('ECONNRESET');

    const other = jest.fn(answer(200));
    await expect(circuits.run('token.client_credentials.feed', other, is5xx)).rejects.toMatchObject({ code: 'NOGI_UNAVAILABLE' });
    expect(other).not.toHaveBeenCalled();
    expect(circuits.state('token')).toBe(CircuitState.Open);
    expect(await metrics.registry.metrics()).toMatch(/upstream_circuit_bypasses_total\{upstream="nogi",api="token"\} 3/);
  });
});

import { UpstreamTransportError } from './upstream';
import { retryIdempotent } from './upstream-retry';

const answer = (status: number) => ({ status, headers: {}, body: {} });

describe('retries of idempotent upstream calls', () => {
  it('retries a 503 and returns the first success', async () => {
    const statuses = [503, 502, 204];
    const call = jest.fn(async () => answer(statuses.shift()!));
    expect((await retryIdempotent(5000, call)).status).toBe(204);
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('gives up after three attempts and returns the last answer', async () => {
    const call = jest.fn(async () => answer(500));
    expect((await retryIdempotent(5000, call)).status).toBe(500);
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('does not retry a 4xx answer or a timeout', async () => {
    const refused = jest.fn(async () => answer(403));
    expect((await retryIdempotent(5000, refused)).status).toBe(403);
    expect(refused).toHaveBeenCalledTimes(1);
    const slow = jest.fn(async () => {
      throw new UpstreamTransportError('nogi', 'timeout', 'debt.get', new Error('slow'));
    });
    await expect(retryIdempotent(5000, slow)).rejects.toBeInstanceOf(UpstreamTransportError);
    expect(slow).toHaveBeenCalledTimes(1);
  });

  it('retries a refused connection, then throws the transport error', async () => {
    const down = jest.fn(async () => {
      throw new UpstreamTransportError('nogi', 'network', 'debt.revoke', new Error('ECONNREFUSED'));
    });
    await expect(retryIdempotent(5000, down)).rejects.toBeInstanceOf(UpstreamTransportError);
    expect(down).toHaveBeenCalledTimes(3);
  });
});

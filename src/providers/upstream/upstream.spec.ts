import { AppError } from '../../common/problem';
import { UpstreamTransportError, upstreamBadResponse, upstreamFailure, upstreamStatusFailure } from './upstream';

describe('upstream problem mapping', () => {
  it("maps an upstream's transport failures to its own <UPSTREAM>_TIMEOUT / _UNAVAILABLE codes, naming it in the log outcome", () => {
    const timeout = upstreamFailure(new UpstreamTransportError('nogi', 'timeout', 'debt.get', new Error('slow')), 'debt') as AppError;
    expect(timeout).toMatchObject({ code: 'NOGI_TIMEOUT', status: 504 });
    expect((timeout.cause as UpstreamTransportError).upstream).toEqual({ upstream: 'nogi', operation: 'debt.get', failure: 'timeout' });
    expect(upstreamFailure(new UpstreamTransportError('nogi', 'network', 'debt.get', new Error('ECONNRESET')), 'debt')).toMatchObject({ code: 'NOGI_UNAVAILABLE', status: 503 });
  });

  it('maps answered statuses to _UNAVAILABLE, _REJECTED and _BAD_RESPONSE, and leaves our own errors alone', () => {
    expect(upstreamStatusFailure('nogi', 429, 'debt')).toMatchObject({ code: 'NOGI_UNAVAILABLE' });
    expect(upstreamStatusFailure('nogi', 400, 'debt')).toMatchObject({ code: 'NOGI_REJECTED', status: 502 });
    expect(upstreamBadResponse('nogi', 200, 'debt', 'No debt in the answer.')).toMatchObject({ code: 'NOGI_BAD_RESPONSE', status: 502 });
    const ours = new Error('redis down');
    expect(upstreamFailure(ours, 'debt')).toBe(ours);
  });
});

import { CallLog } from './call-log';

describe('CallLog', () => {
  it('keeps only the newest calls up to its limit', () => {
    const log = new CallLog<{ endpoint: string; n: number }>(2);
    for (const n of [1, 2, 3]) log.add({ endpoint: 'token', n });
    expect(log.list().map((c) => c.n)).toEqual([2, 3]);
  });

  it('filters by endpoint and answers copies a reader cannot change', () => {
    const log = new CallLog<{ endpoint: string; query: Record<string, string> }>(10);
    log.add({ endpoint: 'token', query: { a: '1' } });
    log.add({ endpoint: 'debt', query: {} });
    const [token] = log.list('token');
    token.query.a = 'changed';
    expect(log.list('token')).toEqual([{ endpoint: 'token', query: { a: '1' } }]);
    expect(log.list('other')).toEqual([]);
    log.clear();
    expect(log.list()).toEqual([]);
  });
});

import { AppError } from '../../common/problem';
import { transactionsRequest } from './openbanking-accounts.service';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const fieldsOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return (error.extras.errors ?? []).map((e) => e.field);
    throw error;
  }
  return [];
};

describe('transactionsRequest', () => {
  it('defaults to the last 90 days up to today', () => {
    expect(transactionsRequest('spv-1', undefined, undefined, NOW)).toEqual({ dateFrom: '2026-09-02', dateTo: '2026-12-01' });
    expect(transactionsRequest('spv-1', undefined, '2026-06-30', NOW)).toEqual({ dateFrom: '2026-04-01', dateTo: '2026-06-30' });
    expect(transactionsRequest('spv-1', '2026-11-01', undefined, NOW)).toEqual({ dateFrom: '2026-11-01', dateTo: '2026-12-01' });
  });

  it('accepts one day and exactly 366 days, refuses from after to and a longer span, naming from', () => {
    expect(transactionsRequest('a', '2026-05-05', '2026-05-05', NOW)).toEqual({ dateFrom: '2026-05-05', dateTo: '2026-05-05' });
    expect(transactionsRequest('a', '2024-01-01', '2025-01-01', NOW).dateFrom).toBe('2024-01-01');
    expect(fieldsOf(() => transactionsRequest('a', '2024-01-01', '2025-01-02', NOW))).toEqual(['from']);
    expect(fieldsOf(() => transactionsRequest('a', '2026-05-06', '2026-05-05', NOW))).toEqual(['from']);
  });

  it('names each date that is not a real YYYY-MM-DD', () => {
    expect(fieldsOf(() => transactionsRequest('a', '2026-02-30', '2026-13-01', NOW))).toEqual(['from', 'to']);
    expect(fieldsOf(() => transactionsRequest('a', '2026-2-3', undefined, NOW))).toEqual(['from']);
    expect(fieldsOf(() => transactionsRequest('a', undefined, '2026-12-01T00:00:00Z', NOW))).toEqual(['to']);
  });

  it("takes the bank's resourceId characters only, 1–100 of them, and checks it first", () => {
    expect(fieldsOf(() => transactionsRequest('A-z_0.9', undefined, undefined, NOW))).toEqual([]);
    expect(fieldsOf(() => transactionsRequest('x'.repeat(100), undefined, undefined, NOW))).toEqual([]);
    for (const bad of ['', 'x'.repeat(101), 'a/b', 'a b', 'ø', '..%2F']) expect(fieldsOf(() => transactionsRequest(bad, 'bad', 'bad', NOW))).toEqual(['accountId']);
  });
});

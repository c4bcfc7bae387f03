import { decodeCursor, encodeCursor } from './consent-cursor';

describe('consent list cursor', () => {
  it('round-trips a position with microsecond precision', () => {
    const cursor = { createdAt: '2026-01-02T03:04:05.123456Z', id: '3f1c2a9e-1b2c-4d5e-8f90-123456789abc' };
    const encoded = encodeCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encoded)).toEqual(cursor);
  });

  it('answers 400 naming the cursor for anything else', () => {
    for (const bad of ['', 'abc', Buffer.from('["x","y"]').toString('base64url'), Buffer.from("[1,2,3]").toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', extras: { errors: [expect.objectContaining({ field: 'cursor' })] } }));
    }
  });
});

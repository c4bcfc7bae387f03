import { assertSafeNogiId } from './nogi-consent-id';

describe('NoGi consent ids in paths', () => {
  it('accepts NoGi ids and refuses anything that could change the path', () => {
    expect(assertSafeNogiId('3f1c2a9e-1b2c-4d5e-8f90-123456789abc')).toBe('3f1c2a9e-1b2c-4d5e-8f90-123456789abc');
    for (const bad of ['', '../status', 'a/b', 'a?b=1', 'a#b', '..', 'a b', 'x'.repeat(129)]) {
      expect(() => assertSafeNogiId(bad)).toThrow('unexpected form');
    }
  });
});

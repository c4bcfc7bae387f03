import { maxAgeSeconds } from './altinn2-key-set';

describe('how long Altinn 2 key set answers are kept', () => {
  it('follows max-age, at most a day', () => {
    expect(maxAgeSeconds('public, max-age=3600')).toBe(3600);
    expect(maxAgeSeconds('max-age=604800, public')).toBe(86_400);
    expect(maxAgeSeconds(['public', 'max-age=60'])).toBe(60);
  });

  it('keeps nothing when told not to store, and five minutes when told nothing', () => {
    expect(maxAgeSeconds('no-store')).toBe(0);
    expect(maxAgeSeconds('private, no-cache, max-age=600')).toBe(0);
    expect(maxAgeSeconds(undefined)).toBe(300);
    expect(maxAgeSeconds('public')).toBe(300);
  });
});

import { formatOsloDateTime, parseAltinn2Date } from './oslo-time';

describe('Norwegian local time for Altinn 2', () => {
  it('writes winter dates at UTC+1', () => {
    expect(formatOsloDateTime(new Date('2026-01-15T12:00:00Z'))).toBe('2026-01-15 13:00:00');
  });

  it('writes summer dates at UTC+2', () => {
    expect(formatOsloDateTime(new Date('2026-07-15T12:00:00Z'))).toBe('2026-07-15 14:00:00');
  });

  it('writes the day after when UTC evening is past midnight in Oslo', () => {
    expect(formatOsloDateTime(new Date('2026-12-31T23:30:05Z'))).toBe('2027-01-01 00:30:05');
  });

  it('switches offset on the last Sunday of March and of October', () => {
    expect(formatOsloDateTime(new Date('2026-03-29T00:59:59Z'))).toBe('2026-03-29 01:59:59');
    expect(formatOsloDateTime(new Date('2026-03-29T01:00:00Z'))).toBe('2026-03-29 03:00:00');
    expect(formatOsloDateTime(new Date('2026-10-25T00:59:59Z'))).toBe('2026-10-25 02:59:59');
    expect(formatOsloDateTime(new Date('2026-10-25T01:00:00Z'))).toBe('2026-10-25 02:00:00');
  });

  it('reads both local-time forms, winter and summer', () => {
    expect(parseAltinn2Date('2017-06-30 10:30:00')?.toISOString()).toBe('2017-06-30T08:30:00.000Z');
    expect(parseAltinn2Date('05.01.2017 10:30:00')?.toISOString()).toBe('2017-01-05T09:30:00.000Z');
    expect(parseAltinn2Date('27.10.2016 21:11:17')?.toISOString()).toBe('2016-10-27T19:11:17.000Z');
  });

  it('reads epoch seconds as a number or a digit string', () => {
    expect(parseAltinn2Date(1492500942)?.toISOString()).toBe('2017-04-18T07:35:42.000Z');
    expect(parseAltinn2Date('1492500942')?.toISOString()).toBe('2017-04-18T07:35:42.000Z');
  });

  it('round-trips every hour of a year through the local form', () => {
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 3_600_000 + 17_000) {
      const date = new Date(Math.floor(t / 1000) * 1000);
      const text = formatOsloDateTime(date);
      // The repeated hour of October's switch is ambiguous in local time; both readings are an hour apart.
      const back = parseAltinn2Date(text)!.getTime();
      expect([0, 3_600_000]).toContain(Math.abs(back - date.getTime()));
      expect(formatOsloDateTime(new Date(back))).toBe(text);
    }
  });

  it('refuses what is not a date', () => {
    for (const value of ['2017-02-30 10:00:00', '2017-06-30', 'tomorrow', '', null, undefined, {}, '30.06.2017']) {
      expect(parseAltinn2Date(value)).toBeUndefined();
    }
  });
});

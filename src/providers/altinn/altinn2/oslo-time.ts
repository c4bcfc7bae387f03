/**
 * Altinn 2 writes and reads dates as Norwegian wall-clock time without an offset
 * (`2017-06-30 10:30:00`, `27.10.2016 21:11:17`). Intl knows Europe/Oslo's summer-time rules, so
 * conversions stay right on both sides of the last Sundays of March and October.
 */
const OSLO = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Oslo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function osloWallClock(date: Date): WallClock {
  const parts: Record<string, number> = {};
  for (const part of OSLO.formatToParts(date)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD hh:mm:ss` in Norwegian local time (seconds truncated). */
export function formatOsloDateTime(date: Date): string {
  const w = osloWallClock(date);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** Offset of Oslo from UTC at that instant, in ms (+1 h in winter, +2 h in summer). */
function osloOffsetMs(epochMs: number): number {
  const w = osloWallClock(new Date(epochMs));
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(epochMs / 1000) * 1000;
}

/** The instant of an Oslo wall-clock time, or undefined when no such calendar time exists (31 February). */
export function osloWallClockToDate(w: WallClock): Date | undefined {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  if (!Number.isFinite(asUtc)) return undefined;
  const check = new Date(asUtc);
  if (check.getUTCFullYear() !== w.year || check.getUTCMonth() !== w.month - 1 || check.getUTCDate() !== w.day || w.hour > 23 || w.minute > 59 || w.second > 59) return undefined;
  // The offset at the guess may differ from the offset at the answer near a switch: settle it.
  let instant = asUtc - osloOffsetMs(asUtc);
  const settled = asUtc - osloOffsetMs(instant);
  if (settled !== instant) instant = settled;
  return new Date(instant);
}

/**
 * Parses the date forms Altinn 2 uses in links and tokens: `YYYY-MM-DD hh:mm:ss` and
 * `DD.MM.YYYY hh:mm:ss` (Norwegian local time; a `T` separator is accepted too), or Unix seconds
 * (number or digit string) in the newer tokens. Undefined when it is none of them.
 */
export function parseAltinn2Date(value: unknown): Date | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d{9,11}$/.test(text)) return new Date(Number(text) * 1000);
  let m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?$/.exec(text);
  if (m) return osloWallClockToDate({ year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5], second: +m[6] });
  m = /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (m) return osloWallClockToDate({ year: +m[3], month: +m[2], day: +m[1], hour: +m[4], minute: +m[5], second: +m[6] });
  return undefined;
}

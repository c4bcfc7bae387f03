import pino from 'pino';
import { QueryFailedError } from 'typeorm';
import { createLogger, elevenDigitRuns, isoTime, scrubNationalIds } from './logging';
import { AppError } from './problem';

describe('scrubNationalIds', () => {
  const nid = '01017012345';

  it('masks an 11-digit run wherever it stands', () => {
    expect(scrubNationalIds(`{"nationalId":"${nid}"}`)).toBe('{"nationalId":"[REDACTED]"}');
    expect(scrubNationalIds(`customer ${nid}, again:${nid}.`)).toBe('customer [REDACTED], again:[REDACTED].');
    expect(scrubNationalIds(`fnr${nid}x`)).toBe('fnr[REDACTED]x');
  });

  it('leaves shorter and longer digit runs alone', () => {
    expect(scrubNationalIds('"time":1795323985123,"n":1234567890')).toBe('"time":1795323985123,"n":1234567890');
  });

  it('keeps a UUID whose last group holds 11 digits whole, at either end of the group', () => {
    const ids = ['806ea514-599b-4c76-8457-12345678901c', 'df25b3a7-70da-4959-bd84-D12345678901'];
    for (const id of ids) {
      const line = `{"requestId":"${id}","req":{"path":"/v1/consents/${id}/debt"}}`;
      expect(scrubNationalIds(line)).toBe(line);
      expect(elevenDigitRuns(line)).toEqual([]);
    }
  });

  it('still masks the digits when the UUID shape is not exact or is glued to more characters', () => {
    expect(scrubNationalIds(`806ea514-599b-4c76-8457-${nid}`)).toBe('806ea514-599b-4c76-8457-[REDACTED]');
    expect(scrubNationalIds(`806ea514-599b-4c76-845-${nid}c`)).toBe('806ea514-599b-4c76-845-[REDACTED]c');
    expect(scrubNationalIds(`x806ea514-599b-4c76-8457-${nid}c`)).toBe('x806ea514-599b-4c76-8457-[REDACTED]c');
    expect(scrubNationalIds(`806ea514-599b-4c76-8457-${nid}cc`)).toBe('806ea514-599b-4c76-8457-[REDACTED]cc');
  });

  it('finds exactly the runs it masks', () => {
    const line = `a ${nid} b 806ea514-599b-4c76-8457-12345678901c c 98765432109`;
    expect(elevenDigitRuns(line)).toEqual([nid, '98765432109']);
    expect(scrubNationalIds(line)).toBe('a [REDACTED] b 806ea514-599b-4c76-8457-12345678901c c [REDACTED]');
  });
});

describe('createLogger', () => {
  it('logs a failed query as type, message and stack, without its SQL, parameters or PostgreSQL detail', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const driverError = Object.assign(new Error('duplicate key value violates unique constraint "consent_nogi_consent_id_key"'), {
      code: '23505',
      detail: 'Key (nogi_consent_id)=(nogi-secret-id) already exists.',
    });
    logger.error({ err: new QueryFailedError('INSERT INTO "consent" VALUES ($1, $2)', ['nogi-secret-id', 'hash-of-customer'], driverError) }, 'Unhandled error');
    const entry = JSON.parse(lines[0]) as { err: Record<string, unknown> };
    expect(entry.err).toMatchObject({ type: 'QueryFailedError', message: expect.stringContaining('duplicate key'), code: '23505' });
    expect(entry.err.stack).toEqual(expect.any(String));
    expect(lines[0]).not.toMatch(/nogi-secret-id|hash-of-customer|INSERT INTO/);
  });

  it("logs a problem's cause chain (classes, messages, stacks) but not the cause's values or an ioredis command's arguments", () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const query = new QueryFailedError('UPDATE "consent" SET x = $1', ['ciphertext-value'], new Error('deadlock detected'));
    const redis = Object.assign(new Error('ERR wrong number of arguments'), { command: { name: 'set', args: ['prefix:nogi-token:debt', 'token-ciphertext'] } });
    logger.warn({ err: new AppError('DEPENDENCY_UNAVAILABLE', 'retry shortly', { cause: query }) }, 'Request failed');
    logger.warn({ err: redis }, 'Request failed');
    const [problem, reply] = lines.map((l) => JSON.parse(l) as { err: Record<string, unknown> });
    expect(problem.err).toMatchObject({ type: 'AppError', code: 'DEPENDENCY_UNAVAILABLE', message: expect.stringContaining('deadlock detected') });
    expect(problem.err.stack).toContain('caused by: QueryFailedError');
    expect(reply.err).toMatchObject({ type: 'Error', message: 'ERR wrong number of arguments' });
    expect(lines.join('\n')).not.toMatch(/ciphertext-value|token-ciphertext|UPDATE "consent"/);
  });
});

describe('isoTime', () => {
  afterEach(() => jest.useRealTimers());

  it("writes pino's isoTime field for the current millisecond, and a new one when the clock moves", () => {
    jest.useFakeTimers({ now: Date.parse('2026-12-01T10:00:00.123Z') });
    expect(isoTime()).toBe(pino.stdTimeFunctions.isoTime());
    expect(isoTime()).toBe(',"time":"2026-12-01T10:00:00.123Z"');
    jest.setSystemTime(Date.parse('2026-12-01T10:00:00.124Z'));
    expect(isoTime()).toBe(',"time":"2026-12-01T10:00:00.124Z"');
    jest.setSystemTime(Date.parse('2026-12-01T09:59:59.999Z'));
    expect(isoTime()).toBe(',"time":"2026-12-01T09:59:59.999Z"');
  });
});

import { registerDecorator } from 'class-validator';
import { AppError } from '../common/problem';

/** A position in the list order (created_at DESC, id DESC); created_at keeps PostgreSQL's microseconds. */
export interface ConsentCursor {
  createdAt: string;
  id: string;
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(cursor: ConsentCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

export function decodeCursor(value: string): ConsentCursor {
  const cursor = tryDecodeCursor(value);
  if (cursor) return cursor;
  throw AppError.validation([{ field: 'cursor', message: CURSOR_MESSAGE }]);
}

const CURSOR_MESSAGE = 'is not a cursor this service issued';

/** Checked with the query's other fields, so one 400 names every field that is wrong. */
export function IsConsentCursor(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isConsentCursor',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: CURSOR_MESSAGE },
      validator: { validate: (value: unknown) => typeof value === 'string' && tryDecodeCursor(value) !== undefined },
    });
}

function tryDecodeCursor(value: string): ConsentCursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && TIME.test(String(parsed[0])) && UUID.test(String(parsed[1]))) {
      return { createdAt: parsed[0] as string, id: parsed[1] as string };
    }
  } catch {
    // not base64url JSON
  }
  return undefined;
}

import { AppError } from '../../common/problem';

/** The NoGi consent id goes into a path: refuse anything that could change the path or query. */
export function assertSafeNogiId(id: string): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9._~-]{1,128}$/.test(id) || id.includes('..')) {
    throw new AppError('NOGI_BAD_RESPONSE', 'A NoGi consent id has an unexpected form.');
  }
  return encodeURIComponent(id);
}

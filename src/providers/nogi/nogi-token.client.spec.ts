import { basicAuthorization, isTokenRejection } from './nogi-token.client';

const response = (status: number, body: unknown) => ({ status, headers: {}, body });

describe('NoGi client-credentials helpers', () => {
  it('form-urlencodes the client id and secret before base64 (RFC 6749 §2.3.1)', () => {
    const header = basicAuthorization('bank client', 'p@ss:wörd/+');
    const decoded = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString();
    expect(decoded).toBe('bank+client:p%40ss%3Aw%C3%B6rd%2F%2B');
  });

  it('treats 403 invalid access token and 401 as a token rejection', () => {
    expect(isTokenRejection(response(403, { error: 'invalid access token', error_description: 'Access token is expired' }))).toBe(true);
    expect(isTokenRejection(response(403, { error: 'Invalid access token' }))).toBe(true);
    expect(isTokenRejection(response(401, ''))).toBe(true);
  });

  it('does not treat invalid consent, other 403s or successes as a token rejection', () => {
    expect(isTokenRejection(response(403, { error: 'invalid consent', error_description: 'Consent expired at 2021-02-26T09:31:07Z' }))).toBe(false);
    expect(isTokenRejection(response(403, { status: 403, error: 'Forbidden', message: 'You may not register this consent' }))).toBe(false);
    expect(isTokenRejection(response(200, {}))).toBe(false);
  });
});

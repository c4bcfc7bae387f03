import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../config/app-config';
import type { NogiDebtClient } from './nogi-debt.client';
import { NogiProvider } from './nogi.provider';

describe('NogiProvider.startFlow', () => {
  const config = { nogiIssuer: 'https://nogi.example', nogiClientId: 'bank client', nogiRedirectUri: 'https://bff.example/v1/consent-flows/callback?x=1&y=æ' } as AppConfig;
  const provider = new NogiProvider(config, {} as NogiDebtClient);
  const start = (input: { purpose: string; durationDays?: number; state: string }) =>
    provider.startFlow({ flowId: 'f', dataset: 'debt', nationalId: '14842249091', expiresAt: new Date(), requestId: 'r', ...input } as Parameters<NogiProvider['startFlow']>[0]);

  it.each([
    ['presentation', 90],
    ['presentation', 400],
    ['processing', undefined],
    ['processing', 28],
  ])('writes the authorization URL URLSearchParams would write (%s, %s days)', async (purpose, durationDays) => {
    const state = randomBytes(32).toString('base64url');
    const { authorizationUrl, secrets, scope } = await start({ purpose, durationDays, state });
    const url = new URL(authorizationUrl);
    const expected = new URL(`${config.nogiIssuer}/oauth2/auth`);
    expected.search = new URLSearchParams({
      response_type: 'code',
      client_id: config.nogiClientId,
      redirect_uri: config.nogiRedirectUri,
      scope,
      state,
      nonce: secrets!.nonce,
      code_challenge: url.searchParams.get('code_challenge')!,
      code_challenge_method: 'S256',
    }).toString();
    expect(authorizationUrl).toBe(expected.toString());
    expect(url.searchParams.get('scope')).toBe(scope);
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a state that would need escaping in the URL', async () => {
    await expect(start({ purpose: 'presentation', state: 'abc&scope=admin' })).rejects.toThrow('base64url');
  });
});

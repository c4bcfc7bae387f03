import { redirectWithStatus } from './consent-page.routes';

describe("the simulator's redirect back (Altinn's GetConsentRequestRedirectUrl)", () => {
  it('joins Status with ? or &', () => {
    expect(redirectWithStatus('https://bank.example/cb', true)).toBe('https://bank.example/cb?Status=OK');
    expect(redirectWithStatus('https://bank.example/cb?state=s', false)).toBe('https://bank.example/cb?state=s&Status=Failed&ErrorMessage=User+did+not+give+consent');
  });

  it('puts it inside a #/ route fragment, and before a plain #anchor', () => {
    expect(redirectWithStatus('https://bank.example/app#/consent?state=s', true)).toBe('https://bank.example/app#/consent?state=s&Status=OK');
    expect(redirectWithStatus('https://bank.example/app?state=s#top', true)).toBe('https://bank.example/app?state=s&Status=OK#top');
  });
});

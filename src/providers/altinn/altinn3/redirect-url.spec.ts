import { altinnRedirectUrl } from './redirect-url';

describe('altinnRedirectUrl', () => {
  it('adds the state as the query of a plain callback URL', () => {
    expect(altinnRedirectUrl('https://bank.example/v1/consent-flows/callback/altinn', 'abc')).toBe('https://bank.example/v1/consent-flows/callback/altinn?state=abc');
  });

  it('keeps an existing query exactly and appends the state with &', () => {
    expect(altinnRedirectUrl('https://bank.example/cb?channel=web&x=a+b', 'abc')).toBe('https://bank.example/cb?channel=web&x=a+b&state=abc');
    expect(altinnRedirectUrl('https://bank.example/cb?', 'abc')).toBe('https://bank.example/cb?state=abc');
  });

  it('encodes the state so Altinn cannot split it', () => {
    const url = altinnRedirectUrl('https://bank.example/cb', 'a&Status=OK=/+');
    expect(new URL(url).searchParams.get('state')).toBe('a&Status=OK=/+');
    expect(new URL(url).searchParams.get('Status')).toBeNull();
  });

  it('leaves the state readable after Altinn appends Status with &', () => {
    const back = new URL(`${altinnRedirectUrl('https://bank.example/cb?channel=web', 's1')}&Status=Failed&ErrorMessage=User+did+not+give+consent`);
    expect(back.searchParams.get('state')).toBe('s1');
    expect(back.searchParams.get('channel')).toBe('web');
    expect(back.searchParams.get('ErrorMessage')).toBe('User did not give consent');
  });
});

/**
 * Altinn's `redirectUrl` for one flow: ALTINN_REDIRECT_URI with `state=<state>` added, the rest
 * kept byte for byte. Altinn adds no id of its own and appends `Status=…` (and `ErrorMessage=…`)
 * with `?` or `&` (notes 1.6), so the state is the only thing we add.
 */
export function altinnRedirectUrl(redirectUri: string, state: string): string {
  const hashAt = redirectUri.indexOf('#');
  const base = hashAt < 0 ? redirectUri : redirectUri.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : redirectUri.slice(hashAt);
  const joiner = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${joiner}state=${encodeURIComponent(state)}${fragment}`;
}

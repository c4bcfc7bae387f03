import { createHash, randomBytes } from 'node:crypto';
import { request } from 'undici';
import { startNogiSandbox, type StartedNogiSandbox } from '../../src/providers/nogi/sandbox/nogi-sandbox.server';
import type { NogiSandboxOptions } from '../../src/providers/nogi/sandbox/nogi-sandbox.state';

export const PERSON_WITH_DEBT = '14842249091';
export const OTHER_PERSON_WITH_DEBT = '29868099311';
/** Valid check digits, no debt registered. */
export const PERSON_WITHOUT_DEBT = '12829499914';

export const CALLBACK = 'http://127.0.0.1:9/v1/consent-flows/callback';

// Characters that must be form-encoded before Basic (RFC 6749 §2.3.1).
export const CLIENT = { clientId: 'bff-sandbox', clientSecret: 'sandbox secret:+/%&', redirectUris: [CALLBACK, 'http://127.0.0.1:9/other?x=1'] };
export const OTHER_CLIENT = { clientId: '8d6c1c1e-4f57-4a2b-9a7e-3f2b7f0e2c11', clientSecret: 'other-secret', redirectUris: ['http://127.0.0.1:9/other-bank'] };

export function startTestSandbox(extra: Partial<Omit<NogiSandboxOptions, 'baseUrl'>> = {}): Promise<StartedNogiSandbox> {
  return startNogiSandbox({ port: 0, clients: [CLIENT, OTHER_CLIENT], ...extra });
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export async function http(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  opts: { headers?: Record<string, string>; form?: Record<string, string>; json?: unknown; body?: string } = {},
): Promise<HttpResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined = opts.body;
  if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  const res = await request(url, { method, headers, body });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');

export function basic(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authUrl(base: string, params: Record<string, string | undefined>): string {
  const u = new URL(`${base}/oauth2/auth`);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

export function defaultAuthParams(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    client_id: CLIENT.clientId,
    response_type: 'code',
    scope: 'debt.unsecured.presentation',
    redirect_uri: CALLBACK,
    state: `state-${randomBytes(8).toString('hex')}`,
    ...overrides,
  };
}

export function formFields(html: string): { action: string; challenge: string } {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const challenge = /name="consent_challenge" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !challenge) throw new Error('consent page without form');
  return { action: action.replace(/&#38;/g, '&'), challenge };
}

/** GET /oauth2/auth, then submit the consent page like a browser without JavaScript would. */
export async function consentFlow(
  base: string,
  opts: { params?: Record<string, string | undefined>; decision?: string; nationalId?: string } = {},
): Promise<{ location: URL; state: string; page: HttpResponse; submit: HttpResponse }> {
  const params = defaultAuthParams(opts.params);
  const page = await http('GET', authUrl(base, params));
  if (page.status !== 200) throw new Error(`auth answered ${page.status}: ${page.text.slice(0, 200)}`);
  const { action, challenge } = formFields(page.text);
  const submit = await http('POST', action, {
    form: { consent_challenge: challenge, nationalId: opts.nationalId ?? PERSON_WITH_DEBT, decision: opts.decision ?? 'approve' },
  });
  const location = submit.headers.location;
  if (typeof location !== 'string') throw new Error(`consent submit answered ${submit.status} without redirect`);
  return { location: new URL(location), state: params.state!, page, submit };
}

export async function exchangeCode(base: string, code: string, extra: Record<string, string> = {}, client = CLIENT): Promise<HttpResponse> {
  return http('POST', `${base}/oauth2/token`, {
    headers: { authorization: basic(client.clientId, client.clientSecret) },
    form: { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: client.clientId, ...extra },
  });
}

export async function clientCredentials(base: string, audiencePath: string, scope: string, client = CLIENT): Promise<HttpResponse> {
  return http('POST', `${base}/oauth2/token`, {
    headers: { authorization: basic(client.clientId, client.clientSecret) },
    form: { grant_type: 'client_credentials', audience: `${base}${audiencePath}`, scope },
  });
}

export async function ccToken(base: string, audiencePath: string, scope: string, client = CLIENT): Promise<string> {
  const res = await clientCredentials(base, audiencePath, scope, client);
  if (res.status !== 200) throw new Error(`token answered ${res.status}: ${res.text}`);
  return res.json.access_token as string;
}

export const debtToken = (base: string, client = CLIENT) => ccToken(base, '/v1/debt', 'debt.unsecured.presentation debt.unsecured.processing', client);
export const agreementToken = (base: string, client = CLIENT) => ccToken(base, '/v1/consent/agreement', 'consent.create', client);
export const feedToken = (base: string, client = CLIENT) => ccToken(base, '/feed/v1/consent', 'client.access.consent.events', client);

/** Full auth-code flow up to the access token. */
export async function authCodeToken(base: string, params: Record<string, string | undefined> = {}, nationalId = PERSON_WITH_DEBT): Promise<{ token: any; location: URL }> {
  const { location } = await consentFlow(base, { params, nationalId });
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location.search}`);
  const res = await exchangeCode(base, code);
  if (res.status !== 200) throw new Error(`token answered ${res.status}: ${res.text}`);
  return { token: res.json, location };
}

export async function registerAgreement(base: string, token: string, body: Record<string, unknown>): Promise<HttpResponse> {
  return http('PUT', `${base}/v1/consent/agreement`, { headers: bearer(token), json: body });
}

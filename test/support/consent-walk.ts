import { request } from 'undici';
import type { Scope } from '../../src/auth/caller';
import { formFields, http, HttpResponse } from '../sandbox/nogi-sandbox.helpers';
import { TEST_RETURN_ORIGIN, TestApp } from './test-app';

export const FLOW_SCOPES: Scope[] = ['consent:write', 'consent:read', 'debt:read'];

export interface StartedFlow {
  id: string;
  authorizationUrl: string;
  expiresAt: string;
  scope: string;
  durationDays: number | null;
}

export async function startFlow(app: TestApp, token: string, body: Record<string, unknown>): Promise<HttpResponse> {
  return http('POST', `${app.url}/v1/consent-flows`, {
    headers: { authorization: `Bearer ${token}` },
    json: { purpose: 'presentation', returnUrl: `${TEST_RETURN_ORIGIN}/done?tab=loans`, ...body },
  });
}

/**
 * What the customer's browser does: open the authorization URL, submit NoGi's consent page
 * (no JavaScript), and follow NoGi's redirect to our callback. Returns the callback URL on our
 * service without calling it, so a test can call it once, twice or concurrently.
 */
export async function consentAtNogi(app: TestApp, authorizationUrl: string, opts: { nationalId: string; decision?: 'approve' | 'deny' | 'cancel' }): Promise<string> {
  const page = await http('GET', authorizationUrl);
  if (page.status !== 200) throw new Error(`NoGi consent page answered ${page.status}`);
  const { action, challenge } = formFields(page.text);
  const submit = await http('POST', action, { form: { consent_challenge: challenge, nationalId: opts.nationalId, decision: opts.decision ?? 'approve' } });
  const location = submit.headers.location;
  if (typeof location !== 'string') throw new Error(`NoGi answered ${submit.status} without a redirect`);
  // The redirect_uri registered at NoGi names the service's public host; the test reaches it at app.url.
  const callback = new URL(location);
  return `${app.url}${callback.pathname}${callback.search}`;
}

export async function followCallback(callbackUrl: string, accept = 'text/html'): Promise<HttpResponse> {
  const res = await request(callbackUrl, { method: 'GET', headers: { accept } });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** The whole walk: start → NoGi consent page → callback → redirect to the returnUrl. */
export async function walkFlow(
  app: TestApp,
  token: string,
  opts: { body?: Record<string, unknown>; personAtNogi: string; decision?: 'approve' | 'deny' | 'cancel' },
): Promise<{ flow: StartedFlow; callback: HttpResponse; returnedTo: URL }> {
  const started = await startFlow(app, token, opts.body ?? {});
  if (started.status !== 201) throw new Error(`start answered ${started.status}: ${started.text}`);
  const flow = started.json as StartedFlow;
  const callbackUrl = await consentAtNogi(app, flow.authorizationUrl, { nationalId: opts.personAtNogi, decision: opts.decision });
  const callback = await followCallback(callbackUrl);
  const location = callback.headers.location;
  if (callback.status !== 303 || typeof location !== 'string') throw new Error(`callback answered ${callback.status}: ${callback.text}`);
  return { flow, callback, returnedTo: new URL(location) };
}

import { MetricsService } from '../../../src/metrics/metrics.service';
import { Altinn3ConsentClient } from '../../../src/providers/altinn/altinn3/altinn3-consent.client';
import { AltinnHttpClient } from '../../../src/providers/altinn/altinn-http.client';
import { startAltinn3Sandbox, type StartedAltinn3Sandbox } from '../../../src/providers/altinn/sandbox/altinn3';
import type { Altinn3TokenVerifier } from '../../../src/providers/altinn/sandbox/altinn3';

/** The bank (Brønnøysundregistrene's own number, valid mod-11) and another organisation. */
export const BANK_ORG = '974760673';
export const OTHER_ORG = '984851006';

/**
 * A stand-in for Maskinporten in these tests: the token names its organisation and scope, and the
 * simulator's verifier accepts it only for that scope, so a call with the wrong scope is refused.
 */
export function testToken(orgNumber: string, scope: string): string {
  return `test~${orgNumber}~${scope}`;
}

export const verifyTestToken: Altinn3TokenVerifier = (token, scope) => {
  const [kind, orgNumber, tokenScope] = token.split('~');
  return kind === 'test' && tokenScope === scope ? { orgNumber } : undefined;
};

export interface Altinn3Harness {
  started: StartedAltinn3Sandbox;
  http: AltinnHttpClient;
  client: Altinn3ConsentClient;
  /** Scopes our client asked tokens for, in order. */
  scopes: string[];
  close(): Promise<void>;
}

export async function startHarness(opts: { timeoutMs?: number; eventHoldBackMs?: number } = {}): Promise<Altinn3Harness> {
  const started = await startAltinn3Sandbox({ verifyToken: verifyTestToken, eventHoldBackMs: opts.eventHoldBackMs ?? 0 });
  // A breaker that never opens here: each test sees Altinn's own answer.
  const http = new AltinnHttpClient(new MetricsService(), { timeoutMs: opts.timeoutMs ?? 1500, circuit: { failureThreshold: 10_000, halfOpenAfterMs: 100 } });
  const scopes: string[] = [];
  const client = new Altinn3ConsentClient(
    http,
    async (scope) => {
      scopes.push(scope);
      return testToken(BANK_ORG, scope);
    },
    { platformUrl: started.url, orgNumber: BANK_ORG },
  );
  return {
    started,
    http,
    client,
    scopes,
    close: async () => {
      await http.close();
      await started.close();
    },
  };
}

/** A control call on the simulator (/_sandbox/…). */
export async function control(baseUrl: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl}/_sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * The customer at Altinn, with plain HTTP as a browser without JavaScript: open viewUri, read the
 * form, submit the decision; returns the page and where Altinn sends the browser back.
 */
export async function answerConsentPage(viewUri: string, decision: 'approve' | 'deny'): Promise<{ page: string; status: number; location: string | null }> {
  const pageResponse = await fetch(viewUri);
  const page = await pageResponse.text();
  if (pageResponse.status !== 200) throw new Error(`consent page answered ${pageResponse.status}`);
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1]?.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));
  const id = /<input type="hidden" name="id" value="([^"]+)"/.exec(page)?.[1];
  if (!action || !id) throw new Error('consent page has no form');
  if (!page.includes(`name="decision" value="${decision}"`)) throw new Error(`consent page has no ${decision} button`);
  const response = await fetch(new URL(action, viewUri), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ id, decision }).toString(),
  });
  return { page, status: response.status, location: response.headers.get('location') };
}

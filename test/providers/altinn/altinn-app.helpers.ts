import { generateSandboxClientKey, type SandboxClientKey } from '../../../src/providers/altinn/sandbox/maskinporten/sandbox-client-keys';
import { startAltinnSimulators, type StartedAltinnSimulators } from '../../../src/providers/altinn/sandbox/altinn-simulators';
import { followCallback } from '../../support/consent-walk';
import { TEST_RETURN_ORIGIN, type TestApp, type TestAppOptions } from '../../support/test-app';
import { api, type ApiResponse, startReadyApp } from '../../consents/consents.helpers';
import { answerConsentPage } from './altinn3.helpers';

export const BANK_ORG = '974760673';
export const MP_CLIENT_ID = 'bank-maskinporten-client';
export const ALTINN_REDIRECT = 'http://127.0.0.1:3000/v1/consent-flows/callback/altinn';

export interface AltinnWorld {
  sims: StartedAltinnSimulators;
  key: SandboxClientKey;
}

/** The three simulators on their own ports, with our client's key registered at Maskinporten. */
export async function startAltinnWorld(opts: { tokenTtlSeconds?: number } = {}): Promise<AltinnWorld> {
  const key = generateSandboxClientKey();
  const sims = await startAltinnSimulators({ clientId: MP_CLIENT_ID, orgNumber: BANK_ORG, key, eventHoldBackMs: 0, tokenTtlSeconds: opts.tokenTtlSeconds });
  return { sims, key };
}

/** The service's configuration for Altinn 3 at those simulators (production mode, not sandbox). */
export function altinnEnv(world: AltinnWorld, extra: Record<string, string> = {}): Record<string, string> {
  const { urls } = world.sims;
  return {
    PROVIDERS: 'nogi,altinn',
    ALTINN_PLATFORM_URL: urls.altinn,
    ALTINN_ORG_NUMBER: BANK_ORG,
    ALTINN_REDIRECT_URI: ALTINN_REDIRECT,
    ALTINN_EVENTS_POLL_INTERVAL_SECONDS: '0',
    ALTINN_TIMEOUT_MS: '1500',
    MASKINPORTEN_ISSUER: urls.issuer,
    MASKINPORTEN_CLIENT_ID: MP_CLIENT_ID,
    MASKINPORTEN_PRIVATE_KEY: world.key.privateKeyPem,
    MASKINPORTEN_KID: world.key.kid,
    SKATTEETATEN_TAX_ASSESSMENT_URL: urls.taxAssessment,
    SKATTEETATEN_INCOME_URL: urls.income,
    ...extra,
  };
}

/** The service with Altinn enabled; replicas share `redisKeyPrefix` and `issuer`. */
export function startAltinnApp(world: AltinnWorld, env: Record<string, string | undefined> = {}, replica: Pick<TestAppOptions, 'redisKeyPrefix' | 'issuer'> = {}): Promise<TestApp> {
  return startReadyApp({ env: { ...altinnEnv(world), ...env } as Record<string, string>, ...replica });
}

export interface StartedAltinnFlow {
  id: string;
  authorizationUrl: string;
  scope: string;
  durationDays: number;
  provider: string;
  /** Altinn's consent request id (the `id` in viewUri). */
  requestId: string;
}

export const INCOME_BODY = { dataset: 'income', fromMonth: '2026-01', toMonth: '2026-06' } as const;
export const TAX_BODY = { dataset: 'tax-assessment', incomeYear: 2025 } as const;

export async function startAltinnFlow(app: TestApp, token: string, nationalId: string, body: Record<string, unknown> = INCOME_BODY): Promise<StartedAltinnFlow> {
  const started = await api(app, 'POST', '/v1/consent-flows', { token, body: { nationalId, returnUrl: `${TEST_RETURN_ORIGIN}/loan?step=2`, ...body } });
  if (started.status !== 201) throw new Error(`start answered ${started.status}: ${JSON.stringify(started.json)}`);
  return { ...started.json, requestId: new URL(started.json.authorizationUrl).searchParams.get('id')! };
}

/** Altinn's redirect back, aimed at the test app (ALTINN_REDIRECT_URI names the public host). */
export function toApp(app: TestApp, location: string): string {
  const url = new URL(location);
  return `${app.url}${url.pathname}${url.search}`;
}

/** The customer at Altinn's consent page (plain HTTP form), then the browser following the redirect to our callback. */
export async function consentAtAltinn(app: TestApp, flow: StartedAltinnFlow, decision: 'approve' | 'deny' = 'approve'): Promise<{ callbackUrl: string; callback: Awaited<ReturnType<typeof followCallback>> }> {
  const answer = await answerConsentPage(flow.authorizationUrl, decision);
  if (answer.status !== 303 || !answer.location) throw new Error(`consent page answered ${answer.status}`);
  const callbackUrl = toApp(app, answer.location);
  return { callbackUrl, callback: await followCallback(callbackUrl) };
}

/** The flow's return: status and flowId from the 303's Location. */
export function returned(callback: { status: number; headers: Record<string, unknown> }): { status: number; flowStatus: string | null; origin: string } {
  const location = new URL(String(callback.headers.location));
  return { status: callback.status, flowStatus: location.searchParams.get('status'), origin: location.origin };
}

export async function flowOf(app: TestApp, token: string, id: string): Promise<ApiResponse> {
  return api(app, 'GET', `/v1/consent-flows/${id}`, { token });
}

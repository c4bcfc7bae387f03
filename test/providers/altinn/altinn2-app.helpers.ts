import { ALTINN2_SANDBOX_API_KEY } from '../../../src/providers/altinn/altinn2/altinn2.config';
import { startAltinn2Sandbox, type StartedAltinn2Sandbox } from '../../../src/providers/altinn/sandbox/altinn2';
import { startAltinnSimulators } from '../../../src/providers/altinn/sandbox/altinn-simulators';
import { generateSandboxClientKey } from '../../../src/providers/altinn/sandbox/maskinporten/sandbox-client-keys';
import { altinn2SamtykkeVerifier } from '../../../src/providers/altinn/sandbox/skatteetaten';
import { followCallback } from '../../support/consent-walk';
import { TEST_RETURN_ORIGIN, type TestApp } from '../../support/test-app';
import { api, startReadyApp } from '../../consents/consents.helpers';
import { altinnEnv, type AltinnWorld, BANK_ORG, MP_CLIENT_ID, toApp } from './altinn-app.helpers';
import { answerLink, control } from './altinn2-walk';

export interface Altinn2World extends AltinnWorld {
  altinn2: StartedAltinn2Sandbox;
}

/**
 * Altinn 2, Maskinporten and Skatteetaten on their own ports (Altinn 3's simulator runs too but is
 * never asked): Altinn 2 knows our ApiKey for the bank's organisation, Skatteetaten checks
 * `AltinnSamtykke` with Altinn 2's keys and clock.
 */
export async function startAltinn2World(): Promise<Altinn2World> {
  const altinn2 = await startAltinn2Sandbox({ apiKeys: { [ALTINN2_SANDBOX_API_KEY]: BANK_ORG } });
  const key = generateSandboxClientKey();
  const sims = await startAltinnSimulators({ clientId: MP_CLIENT_ID, orgNumber: BANK_ORG, key, eventHoldBackMs: 0, altinnSamtykke: altinn2SamtykkeVerifier(altinn2.sandbox.verifyConsentToken) });
  return { altinn2, sims, key };
}

/** The service's configuration with ALTINN_VERSION=2 at those simulators (production mode, not sandbox). */
export function altinn2Env(world: Altinn2World, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...altinnEnv(world),
    ALTINN_VERSION: '2',
    ALTINN2_URL: world.altinn2.url,
    ALTINN2_API_KEY: ALTINN2_SANDBOX_API_KEY,
    ALTINN2_RESOURCES_TAX_ASSESSMENT: '4628;210607',
    ALTINN2_RESOURCES_INCOME: '4804;210607',
    ...extra,
  };
}

export function startAltinn2App(world: Altinn2World, extra: Record<string, string> = {}): Promise<TestApp> {
  return startReadyApp({ env: altinn2Env(world, extra) });
}

export async function closeAltinn2World(world: Altinn2World | undefined): Promise<void> {
  await Promise.allSettled([world?.sims.close(), world?.altinn2.close()]);
}

/** Back to a clean state between tests: consents, faults, tampering, call logs and clocks (the keys stay). */
export async function resetAltinn2World(world: Altinn2World): Promise<void> {
  await control(world.altinn2.url, 'reset');
  world.sims.skatteetaten.reset();
  world.sims.maskinporten.faults.clear();
}

export interface Started2Flow {
  id: string;
  provider: string;
  scope: string;
  durationDays: number;
  authorizationUrl: string;
}

export async function start2Flow(app: TestApp, token: string, nationalId: string, body: Record<string, unknown>): Promise<Started2Flow> {
  const started = await api(app, 'POST', '/v1/consent-flows', { token, body: { nationalId, returnUrl: `${TEST_RETURN_ORIGIN}/loan?step=2`, ...body } });
  if (started.status !== 201) throw new Error(`start answered ${started.status}: ${JSON.stringify(started.json)}`);
  return started.json;
}

/** The customer at Altinn 2's AccessConsent page (logged in as `loginAs`), then the browser following the redirect to our callback. */
export async function answerAtAltinn2(app: TestApp, flow: Started2Flow, loginAs: string, decision: 'approve' | 'deny' = 'approve') {
  const answer = await answerLink(flow.authorizationUrl, loginAs, decision);
  const callbackUrl = toApp(app, answer.location.toString());
  return { code: answer.authorizationCode, callbackUrl, callback: await followCallback(callbackUrl) };
}

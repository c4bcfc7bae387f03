import { DataSource } from 'typeorm';
import { DataCipher, NationalIdHasher } from '../../../src/common/crypto/data-cipher';
import { ConsentDataService } from '../../../src/consents/consent-data.service';
import { ConsentRepository } from '../../../src/consents/consent.repository';
import { ConsentFlowService } from '../../../src/consent-flow/consent-flow.service';
import { type FlowRecord, FlowStore } from '../../../src/consent-flow/flow.store';
import type { ConsentParameters } from '../../../src/database/entities/consent.entity';
import { Altinn2Collector } from '../../../src/providers/altinn/altinn2/altinn2-collector';
import { Altinn2ConsentReader } from '../../../src/providers/altinn/altinn2/altinn2-consent.reader';
import { Altinn2FlowCompletion } from '../../../src/providers/altinn/altinn2/altinn2-flow.completion';
import { AltinnHttpClient } from '../../../src/providers/altinn/altinn-http.client';
import type { Altinn2Dataset } from '../../../src/providers/altinn/altinn2/altinn2-link';
import { Altinn2TokenClient } from '../../../src/providers/altinn/altinn2/altinn2-token.client';
import { Altinn2TokenVerifier } from '../../../src/providers/altinn/altinn2/altinn2-token.verifier';
import type { MaskinportenClient } from '../../../src/providers/altinn/maskinporten/maskinporten.client';
import { ALTINN2_SANDBOX_API_KEY } from '../../../src/providers/altinn/altinn2/altinn2.config';
import { ALTINN2_SANDBOX_ORG_NUMBER, startAltinn2Sandbox, type StartedAltinn2Sandbox } from '../../../src/providers/altinn/sandbox/altinn2';
import { altinn2SamtykkeVerifier } from '../../../src/providers/altinn/sandbox/skatteetaten';
import { IncomeClient } from '../../../src/providers/altinn/skatteetaten/income.client';
import { SkatteetatenHttpClient } from '../../../src/providers/altinn/skatteetaten/skatteetaten-http.client';
import { TaxAssessmentClient } from '../../../src/providers/altinn/skatteetaten/tax-assessment.client';
import { StateStore } from '../../../src/redis/state-store';
import type { Caller } from '../../../src/auth/caller';
import type { StartConsentFlowRequestDto } from '../../../src/consent-flow/consent-flow.dto';
import { startTestApp, TEST_RETURN_ORIGIN, type TestApp } from '../../support/test-app';
import { type AltinnKit, CLIENT_ID as MP_CLIENT_ID, startAltinnKit } from './altinn-test-kit';
import { answerLink, RESOURCES } from './altinn2-walk';

export const REDIRECT_URI = 'https://bff.test/v1/consent-flows/callback/altinn';
export const CLIENT_ID = 'bank-altinn2-client';

/**
 * Everything an Altinn 2 flow touches, over real HTTP and real storage: the Altinn 2, Maskinporten
 * and Skatteetaten simulators on their own ports (Skatteetaten checking `AltinnSamtykke` with the
 * Altinn 2 simulator's keys and clock), and the service's own ConsentFlowService (flows start
 * through it: ALTINN_VERSION=2 at these simulators), FlowStore, ConsentRepository,
 * ConsentDataService on PostgreSQL and Redis (a test app, not listening). The completion and the
 * reader are built here on the simulator's clock, so tests can move time.
 */
export interface Altinn2Harness {
  altinn: StartedAltinn2Sandbox;
  kit: AltinnKit;
  app: TestApp;
  flows: ConsentFlowService;
  flowStore: FlowStore;
  consents: ConsentRepository;
  consentData: ConsentDataService;
  cipher: DataCipher;
  hasher: NationalIdHasher;
  dataSource: DataSource;
  completion: Altinn2FlowCompletion;
  reader: Altinn2ConsentReader;
  /** A completion with another ApiKey, or its own Maskinporten client (an empty token cache). */
  completionWith(opts: { apiKey?: string; maskinporten?: MaskinportenClient }): Altinn2FlowCompletion;
  close(): Promise<void>;
}

export async function startAltinn2Harness(): Promise<Altinn2Harness> {
  const altinn = await startAltinn2Sandbox();
  const kit = await startAltinnKit({ altinnSamtykke: altinn2SamtykkeVerifier(altinn.sandbox.verifyConsentToken) });
  const app = await startTestApp({
    listen: false,
    env: {
      PROVIDERS: 'nogi,altinn',
      ALTINN_VERSION: '2',
      // Altinn 3 is never asked with ALTINN_VERSION=2: a closed loopback port.
      ALTINN_PLATFORM_URL: 'http://127.0.0.1:9',
      ALTINN_ORG_NUMBER: ALTINN2_SANDBOX_ORG_NUMBER,
      ALTINN_REDIRECT_URI: REDIRECT_URI,
      ALTINN_EVENTS_POLL_INTERVAL_SECONDS: '0',
      ALTINN2_URL: altinn.url,
      ALTINN2_API_KEY: ALTINN2_SANDBOX_API_KEY,
      ALTINN2_RESOURCES_TAX_ASSESSMENT: '4628;210607',
      ALTINN2_RESOURCES_INCOME: '4804;210607',
      MASKINPORTEN_ISSUER: kit.maskinporten.sandbox.issuer,
      MASKINPORTEN_CLIENT_ID: MP_CLIENT_ID,
      MASKINPORTEN_PRIVATE_KEY: kit.key.privateKeyPem,
      MASKINPORTEN_KID: kit.key.kid,
      SKATTEETATEN_TAX_ASSESSMENT_URL: kit.skatteetaten.taxAssessmentUrl,
      SKATTEETATEN_INCOME_URL: kit.skatteetaten.incomeUrl,
    },
  });
  const get = <T>(token: abstract new (...args: never[]) => T) => app.app.get(token as never) as T;
  const cipher = get(DataCipher);
  const hasher = get(NationalIdHasher);
  const flows = get(ConsentFlowService);
  const consents = get(ConsentRepository);
  const altinnNow = () => altinn.sandbox.now();
  const altinnHttp = new AltinnHttpClient(kit.metrics, { timeoutMs: 1500 });
  const skeHttp = new SkatteetatenHttpClient(kit.metrics, { timeoutMs: 1500 });
  const verifier = new Altinn2TokenVerifier(altinnHttp, { url: altinn.url, orgNumber: ALTINN2_SANDBOX_ORG_NUMBER }, { now: altinnNow });
  const maskinporten = kit.client(get(StateStore));
  const taxAssessment = new TaxAssessmentClient({ taxAssessmentUrl: kit.skatteetaten.taxAssessmentUrl }, skeHttp);
  const income = new IncomeClient({ incomeUrl: kit.skatteetaten.incomeUrl }, skeHttp);
  const collector = (apiKey = ALTINN2_SANDBOX_API_KEY, mp = maskinporten) => new Altinn2Collector(new Altinn2TokenClient(altinnHttp, { url: altinn.url, apiKey }), verifier, mp, taxAssessment, income, RESOURCES);
  const completionWith = (opts: { apiKey?: string; maskinporten?: MaskinportenClient }) => new Altinn2FlowCompletion(flows, collector(opts.apiKey, opts.maskinporten), consents, cipher, hasher);
  return {
    altinn,
    kit,
    app,
    flows,
    flowStore: get(FlowStore),
    consents,
    consentData: get(ConsentDataService),
    cipher,
    hasher,
    dataSource: get(DataSource),
    completion: completionWith({}),
    reader: new Altinn2ConsentReader(collector(), cipher, hasher, altinnNow),
    completionWith,
    async close() {
      await Promise.all([altinnHttp.close(), skeHttp.close()]);
      await app.close();
      await kit.close();
      await altinn.close();
    },
  };
}

export interface StartedFlow {
  flow: FlowRecord;
  state: string;
  authorizationUrl: string;
  scope: string;
}

/** The bank starts a flow (ConsentFlowService.start, as POST /v1/consent-flows does). */
export async function startFlow(h: Altinn2Harness, dataset: Altinn2Dataset, nationalId: string, parameters: ConsentParameters, durationDays?: number, message?: string): Promise<StartedFlow> {
  const caller: Caller = { subject: CLIENT_ID, clientId: CLIENT_ID, scopes: new Set(['consent:write']) };
  const body = { dataset, nationalId, returnUrl: `${TEST_RETURN_ORIGIN}/done`, ...parameters, durationDays, message } as StartConsentFlowRequestDto;
  const started = await h.flows.start(caller, body, 'test-start');
  const state = new URL(new URL(started.authorizationUrl).searchParams.get('RedirectUrl')!).searchParams.get('state')!;
  return { flow: (await h.flowStore.get(started.id))!, state, authorizationUrl: started.authorizationUrl, scope: started.scope };
}

/**
 * The customer answers at Altinn 2 (logged in as `loginAs`), the browser comes back to our
 * callback: the state is taken once and the completion runs with the callback's query.
 */
export async function answerAndComplete(h: Altinn2Harness, started: StartedFlow, loginAs: string, decision: 'approve' | 'deny', completion = h.completion) {
  const answer = await answerLink(started.authorizationUrl, loginAs, decision);
  const query = Object.fromEntries(answer.location.searchParams);
  const { flow } = await h.flows.takeFlow(query.state, 'altinn');
  const back = await completion.complete(flow, query, 'test-callback');
  const stored = (await h.flowStore.get(flow.id))!;
  return { answer, back, flow: stored, code: answer.authorizationCode };
}

/** The consent row as PostgreSQL holds it, every column as text. */
export async function rawConsentRow(h: Altinn2Harness, id: string): Promise<string> {
  const rows: Array<{ row: string }> = await h.dataSource.query('SELECT row_to_json(c)::text AS row FROM consent c WHERE id = $1', [id]);
  return rows[0]?.row ?? '';
}

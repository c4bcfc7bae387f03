import { randomBytes, randomUUID } from 'node:crypto';
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
import { Altinn2FlowStarter } from '../../../src/providers/altinn/altinn2/altinn2-flow.starter';
import { Altinn2HttpClient } from '../../../src/providers/altinn/altinn2/altinn2-http.client';
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
import { startTestApp, TEST_RETURN_ORIGIN, type TestApp } from '../../support/test-app';
import { type AltinnKit, startAltinnKit } from './altinn-test-kit';
import { answerLink, RESOURCES } from './altinn2-walk';

export const REDIRECT_URI = 'https://bff.test/v1/consent-flows/callback/altinn';
export const CLIENT_ID = 'bank-altinn2-client';

/**
 * Everything an Altinn 2 flow touches, over real HTTP and real storage: the Altinn 2, Maskinporten
 * and Skatteetaten simulators on their own ports (Skatteetaten checking `AltinnSamtykke` with the
 * Altinn 2 simulator's keys and clock), and the service's own ConsentFlowService, FlowStore,
 * ConsentRepository, ConsentDataService on PostgreSQL and Redis (a test app, not listening).
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
  starter: Altinn2FlowStarter;
  completion: Altinn2FlowCompletion;
  reader: Altinn2ConsentReader;
  /** A completion with another ApiKey, or its own Maskinporten client (an empty token cache). */
  completionWith(opts: { apiKey?: string; maskinporten?: MaskinportenClient }): Altinn2FlowCompletion;
  close(): Promise<void>;
}

export async function startAltinn2Harness(): Promise<Altinn2Harness> {
  const altinn = await startAltinn2Sandbox();
  const kit = await startAltinnKit({ altinnSamtykke: altinn2SamtykkeVerifier(altinn.sandbox.verifyConsentToken) });
  const app = await startTestApp({ listen: false });
  const get = <T>(token: abstract new (...args: never[]) => T) => app.app.get(token as never) as T;
  const cipher = get(DataCipher);
  const hasher = get(NationalIdHasher);
  const flows = get(ConsentFlowService);
  const consents = get(ConsentRepository);
  const altinnNow = () => altinn.sandbox.now();
  const altinnHttp = new Altinn2HttpClient(kit.metrics, { timeoutMs: 1500 });
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
    starter: new Altinn2FlowStarter({ url: altinn.url, resources: RESOURCES, orgNumber: ALTINN2_SANDBOX_ORG_NUMBER, redirectUri: REDIRECT_URI }, altinnNow),
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

/** What ConsentFlowService.start does around a provider's startFlow, with Altinn 2's starter as the provider. */
export async function startFlow(h: Altinn2Harness, dataset: Altinn2Dataset, nationalId: string, parameters: ConsentParameters, durationDays?: number, message?: string): Promise<StartedFlow> {
  const id = randomUUID();
  const state = randomBytes(32).toString('base64url');
  const now = new Date();
  const expiresAt = new Date(now.getTime() + 600_000);
  const started = await h.starter.start({ flowId: id, dataset, nationalId, parameters, durationDays, message, purpose: undefined, state, expiresAt, requestId: 'test-start' });
  const flow: FlowRecord = {
    id,
    dataset,
    provider: 'altinn',
    status: 'pending',
    purpose: 'processing',
    durationDays: started.durationDays,
    requestedScope: started.scope,
    parameters,
    ...(started.flowData ? { providerData: started.flowData } : {}),
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    returnUrl: `${TEST_RETURN_ORIGIN}/done`,
    nationalIdHash: h.hasher.hash(nationalId),
    ownerClientId: CLIENT_ID,
  };
  await h.flowStore.create(flow, state, { flowId: id });
  return { flow, state, authorizationUrl: started.authorizationUrl, scope: started.scope };
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

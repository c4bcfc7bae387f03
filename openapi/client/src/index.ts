import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

export type { components, operations, paths };

type Schemas = components['schemas'];
export type StartConsentFlowRequest = Schemas['StartConsentFlowRequestDto'];
export type StartedConsentFlow = Schemas['StartConsentFlowResponseDto'];
export type ConsentFlow = Schemas['ConsentFlowResponseDto'];
export type DebtInformation = Schemas['DebtInformationDto'];
export type CreditorLoan = Schemas['CreditorLoanDto'];
export type Loan = NonNullable<CreditorLoan['loan']>;
export type RegisterConsentRequest = Schemas['RegisterConsentRequestDto'];
export type Consent = Schemas['ConsentResponseDto'];
export type ConsentList = Schemas['ConsentListResponseDto'];
export type ListConsentsQuery = NonNullable<operations['listConsents']['parameters']['query']>;
export type Problem = Schemas['ProblemDto'];
/** Every stable error code the service documents. */
export type ProblemCode = Problem['code'];
export type FieldError = Schemas['FieldErrorDto'];

/** A bearer token, or a function that returns a fresh one for each request (e.g. from a token cache). */
export type TokenSource = string | (() => string | Promise<string>);

export interface NogiConsentBffClientOptions {
  /** e.g. `http://nogi-consent-bff.nogi.svc.cluster.local` (no trailing path). */
  baseUrl: string;
  token: TokenSource;
  /** Defaults to the global fetch (Node ≥ 20). */
  fetch?: typeof fetch;
}

/**
 * An answer that is not 2xx. For the service's problem+json answers `code` is the stable code;
 * for anything else (a proxy's HTML page, a readiness probe's body) it is undefined and `body`
 * holds the text.
 */
export class NogiConsentBffError extends Error {
  override readonly name = 'NogiConsentBffError';
  readonly status: number;
  readonly code: ProblemCode | undefined;
  readonly title: string;
  readonly detail: string | undefined;
  readonly type: string | undefined;
  readonly requestId: string | undefined;
  readonly errors: FieldError[];
  /** The raw body when it was not problem+json. */
  readonly body: string | undefined;

  constructor(init: { status: number; problem?: Problem; requestId?: string; body?: string }) {
    const { status, problem } = init;
    super(problem ? `${status} ${problem.code}: ${problem.detail}` : `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code;
    this.title = problem?.title ?? `HTTP ${status}`;
    this.detail = problem?.detail;
    this.type = problem?.type;
    this.requestId = problem?.requestId ?? init.requestId;
    this.errors = problem?.errors ?? [];
    this.body = problem ? undefined : init.body;
  }

  /** Narrowing helper: `if (NogiConsentBffError.is(e, 'CONSENT_NOT_FOUND')) …`. */
  static is(error: unknown, code?: ProblemCode): error is NogiConsentBffError {
    return error instanceof NogiConsentBffError && (code === undefined || error.code === code);
  }

  static async fromResponse(response: Response): Promise<NogiConsentBffError> {
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const text = await response.text();
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (mediaType === 'application/problem+json') {
      try {
        const problem = JSON.parse(text) as Problem;
        if (typeof problem.code === 'string') return new NogiConsentBffError({ status: response.status, problem, requestId });
      } catch {
        // fall through: not the service's problem body
      }
    }
    return new NogiConsentBffError({ status: response.status, requestId, body: text });
  }
}

/** The raw openapi-fetch client: `api.GET('/v1/consents/{id}', { params: { path: { id } } })`. */
export type NogiConsentBffRawClient = Client<paths>;

export interface NogiConsentBffClient {
  /** Every path of the document, typed; non-2xx answers throw NogiConsentBffError here too. */
  readonly api: NogiConsentBffRawClient;
  startConsentFlow(body: StartConsentFlowRequest): Promise<StartedConsentFlow>;
  getConsentFlow(id: string): Promise<ConsentFlow>;
  getConsentFlowDebt(id: string): Promise<DebtInformation>;
  registerConsent(body: RegisterConsentRequest, options?: { idempotencyKey?: string }): Promise<Consent>;
  /** `nationalId` travels in the X-National-Id header, never in the URL. */
  listConsents(query?: ListConsentsQuery & { nationalId?: string }): Promise<ConsentList>;
  getConsent(id: string, options?: { refresh?: boolean }): Promise<Consent>;
  /** `revoked`: NoGi confirmed (204). `revoking`: accepted and queued, NoGi not yet told (202). */
  revokeConsent(id: string): Promise<{ outcome: 'revoked' } | { outcome: 'revoking'; consent: Consent }>;
  getConsentDebt(id: string): Promise<DebtInformation>;
}

export function createNogiConsentBffClient(options: NogiConsentBffClientOptions): NogiConsentBffClient {
  const api = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), fetch: options.fetch });
  const auth: Middleware = {
    async onRequest({ request, schemaPath }) {
      // The callback, probes, metrics and docs take no token; sending one would only spread it.
      if (!schemaPath.startsWith('/v1/') || schemaPath === '/v1/consent-flows/callback') return request;
      const token = typeof options.token === 'string' ? options.token : await options.token();
      request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
    async onResponse({ response }) {
      if (response.status >= 400) throw await NogiConsentBffError.fromResponse(response);
      return undefined;
    },
  };
  api.use(auth);

  // With the middleware above, a returned result is always a 2xx: `data` is there unless the body is empty.
  const ok = <T>(result: { data?: T; response: Response }): T => {
    if (result.data === undefined) throw new NogiConsentBffError({ status: result.response.status, body: '' });
    return result.data;
  };

  return {
    api,
    startConsentFlow: async (body) => ok(await api.POST('/v1/consent-flows', { body })),
    getConsentFlow: async (id) => ok(await api.GET('/v1/consent-flows/{id}', { params: { path: { id } } })),
    getConsentFlowDebt: async (id) => ok(await api.GET('/v1/consent-flows/{id}/debt', { params: { path: { id } } })),
    registerConsent: async (body, opts = {}) =>
      ok(await api.POST('/v1/consents', { body, params: { header: opts.idempotencyKey === undefined ? undefined : { 'Idempotency-Key': opts.idempotencyKey } } })),
    listConsents: async (query = {}) => {
      const { nationalId, ...rest } = query;
      return ok(await api.GET('/v1/consents', { params: { query: rest, header: nationalId === undefined ? undefined : { 'X-National-Id': nationalId } } }));
    },
    getConsent: async (id, opts = {}) =>
      ok(await api.GET('/v1/consents/{id}', { params: { path: { id }, query: opts.refresh === undefined ? undefined : { refresh: opts.refresh ? 'true' : 'false' } } })),
    revokeConsent: async (id) => {
      const result = await api.DELETE('/v1/consents/{id}', { params: { path: { id } } });
      if (result.response.status === 202 && result.data) return { outcome: 'revoking', consent: result.data };
      return { outcome: 'revoked' };
    },
    getConsentDebt: async (id) => ok(await api.GET('/v1/consents/{id}/debt', { params: { path: { id } } })),
  };
}

import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ActiveFault } from '../../../../sandbox/fault-injector';
import { SimulatorState } from '../../../../sandbox/simulator-state';
import { ALTINN2_SANDBOX_API_KEY, ALTINN2_SANDBOX_RESOURCES } from '../../altinn2/altinn2.config';
import { type Altinn2Service, parseServiceSetting, serviceKey } from '../../altinn2/altinn2-services';
import { formatOsloDateTime } from '../../altinn2/oslo-time';
import { generateSigningKey, type SandboxSigningKey } from './altinn2-sandbox-keys';
import { checkConsentToken, type Altinn2SandboxTokenCheck } from './altinn2-sandbox-token-check';

export const ALTINN2_SANDBOX_ORG_NUMBER = '910514458';
export const ALTINN2_ENDPOINTS = ['accessConsent', 'token', 'jwks'] as const;
export type Altinn2Endpoint = (typeof ALTINN2_ENDPOINTS)[number] | 'control';

export interface Altinn2SandboxServiceDefinition extends Altinn2Service {
  /** The consent text's parameters the service accepts in `Metadata`. */
  parameters: string[];
}

export interface Altinn2SandboxOptions {
  /** ApiKey → the organisation number it is registered on. Default: the sandbox key on 910514458. */
  apiKeys?: Record<string, string>;
  services?: Altinn2SandboxServiceDefinition[];
  /** The key set's Cache-Control max-age. Default 3600. */
  jwksMaxAgeSeconds?: number;
  /** `new`: kid = x5t, `Services` with `_`, epoch dates. `old`: x5t only, `ServiceCodes`, `,`, local-time dates. */
  claimForm?: 'new' | 'old';
  /** `json-string` (Altinn's documented answer) or `raw` (the JWT as text/plain). */
  tokenBody?: 'json-string' | 'raw';
}

export interface Altinn2SandboxConsent {
  authorizationCode: string;
  offeredBy: string;
  coveredBy: string;
  services: Altinn2Service[];
  /** By `code;edition`: the consent text's parameters. */
  metadata: Record<string, Record<string, string>>;
  validTo: Date;
  delegatedAt: Date;
}

export interface PendingConsentRequest {
  services: Altinn2Service[];
  metadata: Record<string, Record<string, string>>;
  coveredBy: string;
  redirectUrl: string;
  validTo: Date;
  delegationContext: string;
  languageCode: string;
}

/** The next token(s) answered differently, to test a verifier: other claims, or signed by a key not in the key set. */
export interface TokenTamper {
  claims?: Record<string, unknown>;
  signer?: 'unknown';
  times?: number;
}

export interface Altinn2CallLogEntry {
  time: string;
  method: string;
  path: string;
  endpoint: Altinn2Endpoint;
  /** Only for AccessConsent: the link's parameters (RedirectUrl without its query). Never an authorization code. */
  query?: Record<string, string>;
  apiKey?: 'registered' | 'unknown' | 'absent';
  status?: number;
  fault?: ActiveFault;
}

export const TOKEN_LIFETIME_SECONDS = 30;
export const REFUSED_TEXT = 'The API key is not authorized for this operation, or the supplied authorization code is either expired or invalid.';

/**
 * Altinn 2's consent service as the bank sees it: the AccessConsent page's pending requests, the
 * consents given (by authorization code), the token endpoint's JWTs (30 s), the key set (primary
 * and secondary, rotatable), a clock tests can move, faults and a call log without secrets.
 */
export class Altinn2Sandbox extends SimulatorState<Altinn2CallLogEntry> {
  private readonly apiKeys: Record<string, string>;
  readonly services: Altinn2SandboxServiceDefinition[];
  private readonly initialOptions: Required<Pick<Altinn2SandboxOptions, 'jwksMaxAgeSeconds' | 'claimForm' | 'tokenBody'>>;
  jwksMaxAgeSeconds: number;
  claimForm: 'new' | 'old';
  tokenBody: 'json-string' | 'raw';
  private readonly pending = new Map<string, PendingConsentRequest>();
  private readonly consents = new Map<string, Altinn2SandboxConsent>();
  private tamper: TokenTamper | undefined;
  private unknownKey: SandboxSigningKey | undefined;

  private constructor(
    options: Altinn2SandboxOptions,
    private primary: SandboxSigningKey,
    private secondary: SandboxSigningKey,
  ) {
    super({ faultEndpoints: ALTINN2_ENDPOINTS, callLimit: 1000, emptyEndpointMeansAll: true });
    this.apiKeys = options.apiKeys ?? { [ALTINN2_SANDBOX_API_KEY]: ALTINN2_SANDBOX_ORG_NUMBER };
    this.services = options.services ?? [
      { ...parseServiceSetting(ALTINN2_SANDBOX_RESOURCES['tax-assessment'])!, parameters: ['inntektsaar'] },
      { ...parseServiceSetting(ALTINN2_SANDBOX_RESOURCES.income)!, parameters: ['fraOgMed', 'tilOgMed'] },
    ];
    this.initialOptions = { jwksMaxAgeSeconds: options.jwksMaxAgeSeconds ?? 3600, claimForm: options.claimForm ?? 'new', tokenBody: options.tokenBody ?? 'json-string' };
    this.jwksMaxAgeSeconds = this.initialOptions.jwksMaxAgeSeconds;
    this.claimForm = this.initialOptions.claimForm;
    this.tokenBody = this.initialOptions.tokenBody;
  }

  static async create(options: Altinn2SandboxOptions = {}): Promise<Altinn2Sandbox> {
    const [primary, secondary] = await Promise.all([generateSigningKey('primary'), generateSigningKey('secondary')]);
    return new Altinn2Sandbox(options, primary, secondary);
  }

  // ---- organisations, services ----

  orgOfApiKey(apiKey: string | undefined): string | undefined {
    return apiKey !== undefined && Object.hasOwn(this.apiKeys, apiKey) ? this.apiKeys[apiKey] : undefined;
  }

  isRegisteredConsumer(orgNumber: string): boolean {
    return Object.values(this.apiKeys).includes(orgNumber);
  }

  service(code: string, edition: string): Altinn2SandboxServiceDefinition | undefined {
    return this.services.find((s) => s.code === code && s.edition === edition);
  }

  // ---- the AccessConsent page ----

  addPending(request: PendingConsentRequest): string {
    const id = randomUUID();
    this.pending.set(id, request);
    return id;
  }

  takePending(id: string): PendingConsentRequest | undefined {
    const request = this.pending.get(id);
    this.pending.delete(id);
    return request;
  }

  /** The customer approved (the page) or a test set one up (/_sandbox/consents): an authorization code. */
  createConsent(input: Omit<Altinn2SandboxConsent, 'authorizationCode' | 'delegatedAt'>): Altinn2SandboxConsent {
    const consent: Altinn2SandboxConsent = { ...input, authorizationCode: randomUUID(), delegatedAt: new Date(this.now()) };
    this.consents.set(consent.authorizationCode, consent);
    return consent;
  }

  // ---- the token endpoint ----

  setTamper(tamper: TokenTamper | undefined): void {
    if (tamper?.times !== undefined && !(Number.isInteger(tamper.times) && tamper.times >= 1)) throw new RangeError('times must be an integer >= 1');
    this.tamper = tamper && (tamper.claims || tamper.signer) ? { ...tamper } : undefined;
  }

  /** A fresh token for the code, or undefined (403) when the key is not the consumer's or the code is unknown or expired. */
  async issueToken(apiKey: string | undefined, authorizationCode: string | undefined): Promise<string | undefined> {
    const org = this.orgOfApiKey(apiKey);
    const consent = authorizationCode ? this.consents.get(authorizationCode) : undefined;
    if (!org || !consent || consent.coveredBy !== org || consent.validTo.getTime() <= this.now()) return undefined;
    const tamper = this.tamper;
    if (tamper?.times !== undefined && --tamper.times <= 0) this.tamper = undefined;
    const key = tamper?.signer === 'unknown' ? (this.unknownKey ??= await generateSigningKey('unknown')) : this.primary;
    const nbf = Math.floor(this.now() / 1000);
    const claims: Record<string, unknown> = { ...this.claimsOf(consent), iss: 'altinn.no', nbf, exp: nbf + TOKEN_LIFETIME_SECONDS };
    for (const [name, value] of Object.entries(tamper?.claims ?? {})) {
      if (value === null) delete claims[name];
      else claims[name] = value;
    }
    const header = this.claimForm === 'new' ? { alg: 'RS256', kid: key.kid, x5t: key.x5t, typ: 'JWT' } : { typ: 'JWT', alg: 'RS256', x5t: key.x5t };
    return new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
  }

  private claimsOf(consent: Altinn2SandboxConsent): Record<string, unknown> {
    const common = { AuthorizationCode: consent.authorizationCode, OfferedBy: consent.offeredBy, CoveredBy: consent.coveredBy };
    if (this.claimForm === 'new') {
      const services = consent.services.flatMap((s) => [
        `${s.code}_${s.edition}`,
        ...Object.entries(consent.metadata[serviceKey(s)] ?? {}).map(([name, value]) => `${s.code}_${s.edition}_${name}=${value}`),
      ]);
      return { Services: services, ...common, DelegatedDate: Math.floor(consent.delegatedAt.getTime() / 1000), ValidToDate: Math.floor(consent.validTo.getTime() / 1000) };
    }
    const services = consent.services.flatMap((s) => {
      const metadata = Object.entries(consent.metadata[serviceKey(s)] ?? {}).map(([name, value]) => `${name}=${value}`);
      return metadata.length > 0 ? [`${s.code},${s.edition}`, `${s.code},${s.edition},${metadata.join(',')}`] : [`${s.code},${s.edition}`];
    });
    const first = consent.services[0];
    return {
      ServiceCodes: `${first.code},${first.edition}`,
      Services: services,
      ...common,
      DelegatedDate: oldDate(consent.delegatedAt),
      ValidToDate: formatOsloDateTime(consent.validTo),
    };
  }

  // ---- the key set ----

  jwks(): { keys: unknown[] } {
    return { keys: [this.primary.jwk, this.secondary.jwk] };
  }

  keyIds(): { primary: string; secondary: string } {
    return { primary: this.primary.kid, secondary: this.secondary.kid };
  }

  /** Altinn's rotation: the secondary becomes the primary (it was published ahead), and a new secondary appears. */
  async rotateKeys(): Promise<{ primary: string; secondary: string }> {
    const next = await generateSigningKey('secondary');
    this.primary = this.secondary;
    this.secondary = next;
    return this.keyIds();
  }

  /** For the Skatteetaten simulator: an `AltinnSamtykke` header checked against this simulator's own keys and clock. */
  readonly verifyConsentToken = (jwt: string): Altinn2SandboxTokenCheck | undefined => checkConsentToken(jwt, [this.primary, this.secondary], this.now());

  // ---- reset (faults, the call log and the clock are SimulatorState's) ----

  /** Everything back to the start, except the keys (a verifier's cache stays valid). */
  reset(): void {
    this.pending.clear();
    this.consents.clear();
    this.resetRecords();
    this.tamper = undefined;
    Object.assign(this, this.initialOptions);
  }
}

function oldDate(date: Date): string {
  const [day, time] = formatOsloDateTime(date).split(' ');
  const [y, m, d] = day.split('-');
  return `${d}.${m}.${y} ${time}`;
}

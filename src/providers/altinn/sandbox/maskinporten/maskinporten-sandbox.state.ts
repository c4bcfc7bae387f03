import { randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { ActiveFault } from '../../../../sandbox/fault-injector';
import { SimulatorState } from '../../../../sandbox/simulator-state';
import type { AltinnConsentLookup, AltinnConsentView } from '../altinn-consent-view';

export const MASKINPORTEN_ENDPOINTS = ['metadata', 'jwks', 'token'] as const;
export type MaskinportenEndpoint = (typeof MASKINPORTEN_ENDPOINTS)[number] | 'control';

export interface MaskinportenSandboxClient {
  clientId: string;
  /** The client's organisation number (9 digits): `consumer`, and the consent's `to`. */
  orgNumber: string;
  scopes: string[];
  /** Public keys registered on the client, by `kid` (JWK with `kid`, or the key itself). */
  keys?: Array<{ kid: string; key: JWK | KeyObject }>;
  /** Accept a business certificate (`x5c`) for this client; with `trustedCaPem` its leaf must be signed by that CA. */
  certificate?: { trustedCaPem?: string };
}

export interface MaskinportenSandboxOptions {
  clients: MaskinportenSandboxClient[];
  /** The Altinn 3 simulator's view of consent requests, for consent grants. */
  consentLookup?: AltinnConsentLookup;
  tokenTtlSeconds?: number;
  now?: () => number;
}

export interface MaskinportenCallLogEntry {
  time: string;
  method: string;
  path: string;
  endpoint: MaskinportenEndpoint;
  contentType?: string;
  grantType?: string;
  /** The assertion's header and claim names, never the assertion itself. */
  assertion?: { alg?: unknown; kid?: unknown; x5cLength?: number; claims: string[]; aud?: unknown; iss?: unknown; scope?: unknown; lifetime?: number; consentGrant: boolean; consentId?: string };
  status?: number;
  error?: string;
  fault?: ActiveFault;
}

/** Each Altinn consent resource and the data scopes its consent may be used with. */
export const CONSENT_RESOURCE_SCOPES: Record<string, readonly string[]> = {
  'ske-samtykke-sbl-summert-skattegrunnlag': ['skatteetaten:summertskattegrunnlag', 'skatteetaten:spesifisertsummertskattegrunnlag'],
  'ske-samtykke-sbl-inntekt': ['skatteetaten:inntekt'],
};

export interface IssuedTokenInput {
  client: MaskinportenSandboxClient;
  scope: string;
  clientAmr: string;
  consent?: AltinnConsentView;
}

/** The Maskinporten simulator's state: issuer, signing key, clients, seen `jti`s, faults and the call log. */
export class MaskinportenSandbox extends SimulatorState<MaskinportenCallLogEntry> {
  /** Mutable so the standalone starter can set it once the port is known; the issuer is this plus `/`. */
  baseUrl: string;
  readonly tokenTtlSeconds: number;
  consentLookup: AltinnConsentLookup;
  private readonly clients: Map<string, MaskinportenSandboxClient>;
  private readonly keys: Promise<{ privateKey: CryptoKey; jwk: JWK }>;
  private usedJti = new Map<string, number>();

  constructor(opts: MaskinportenSandboxOptions & { baseUrl: string }) {
    // The clock may step back too, to try grants from before a token was issued.
    super({ faultEndpoints: MASKINPORTEN_ENDPOINTS, faultWildcard: ['token'], callLimit: 10_000, now: opts.now, clockMayGoBack: true });
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.clients = new Map(opts.clients.map((c) => [c.clientId, c]));
    this.consentLookup = opts.consentLookup ?? (() => undefined);
    this.tokenTtlSeconds = opts.tokenTtlSeconds ?? 120;
    this.keys = generateKeyPair('RS256', { extractable: true }).then(async ({ privateKey, publicKey }) => ({
      privateKey,
      jwk: { ...(await exportJWK(publicKey)), kid: `mp-sandbox-${randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' },
    }));
    this.keys.catch(() => undefined);
  }

  /** Maskinporten's issuer: the base URL with a trailing slash, the one string a grant's `aud` must be. */
  get issuer(): string {
    return `${this.baseUrl}/`;
  }

  async ready(): Promise<void> {
    await this.keys;
  }

  /** The public signing key (what `/jwk` publishes), for data-source simulators that verify tokens. */
  async publicJwk(): Promise<JWK> {
    return (await this.keys).jwk;
  }

  client(clientId: string | undefined): MaskinportenSandboxClient | undefined {
    return clientId === undefined ? undefined : this.clients.get(clientId);
  }

  /** Records a `jti`; false when it was seen before (kept past any grant's lifetime). */
  useJti(clientId: string, jti: string): boolean {
    const key = `${clientId}\u0000${jti}`;
    const now = this.now();
    for (const [k, until] of this.usedJti) if (until < now) this.usedJti.delete(k);
    if (this.usedJti.has(key)) return false;
    this.usedJti.set(key, now + 10 * 60_000);
    return true;
  }

  async issueToken(input: IssuedTokenInput): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; scope: string }> {
    const { privateKey, jwk } = await this.keys;
    const iat = Math.floor(this.now() / 1000);
    const consumer = { authority: 'iso6523-actorid-upis', ID: `0192:${input.client.orgNumber}` };
    const claims: Record<string, unknown> = {
      scope: input.scope,
      client_amr: input.clientAmr,
      token_type: 'Bearer',
      client_id: input.client.clientId,
      consumer,
    };
    if (input.consent) {
      const c = input.consent;
      claims.authorization_details = [
        {
          type: 'urn:altinn:consent',
          id: c.id,
          from: c.from,
          to: consumer,
          consented: (c.consented ?? new Date(this.now())).toISOString(),
          validTo: c.validTo.toISOString(),
          consentRights: c.rights.map((r) => ({ action: ['consent'], resource: [{ type: 'urn:altinn:resource', value: r.resource }], metadata: { ...r.metadata } })),
        },
      ];
    }
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid as string })
      .setIssuer(this.issuer)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.tokenTtlSeconds)
      .setJti(randomUUID())
      .sign(privateKey);
    return { access_token: token, token_type: 'Bearer', expires_in: this.tokenTtlSeconds, scope: input.scope };
  }

  /** Forget used `jti`s, calls, faults and the clock offset; keys and clients stay. */
  reset(): void {
    this.usedJti.clear();
    this.resetRecords();
  }
}

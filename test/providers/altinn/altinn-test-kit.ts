import { randomBytes, randomUUID } from 'node:crypto';
import { createLocalJWKSet } from 'jose';
import { DataCipher } from '../../../src/common/crypto/data-cipher';
import { MetricsService } from '../../../src/metrics/metrics.service';
import { MaskinportenHttpClient } from '../../../src/providers/altinn/maskinporten/maskinporten-http.client';
import { MaskinportenClient } from '../../../src/providers/altinn/maskinporten/maskinporten.client';
import { loadMaskinportenConfig, type MaskinportenConfig } from '../../../src/providers/altinn/maskinporten/maskinporten.config';
import type { AltinnConsentView } from '../../../src/providers/altinn/sandbox/altinn-consent-view';
import { startMaskinportenSandbox, type StartedMaskinportenSandbox } from '../../../src/providers/altinn/sandbox/maskinporten';
import { generateSandboxClientKey, type SandboxClientKey } from '../../../src/providers/altinn/sandbox/maskinporten/sandbox-client-keys';
import { type AltinnSamtykkeVerifier, startSkatteetatenSandbox, type StartedSkatteetatenSandbox } from '../../../src/providers/altinn/sandbox/skatteetaten';
import { MemoryStateStore } from '../../../src/redis/memory-state.store';
import type { StateStore } from '../../../src/redis/state-store';

export const BANK_ORG = '991825827';
export const CLIENT_ID = 'bank-maskinporten-client';
export const DATA_SCOPES = ['skatteetaten:summertskattegrunnlag', 'skatteetaten:inntekt', 'altinn:consentrequests.write', 'altinn:consentrequests.read'];
export const personUrn = (nationalId: string) => `urn:altinn:person:identifier-no:${nationalId}`;

/** Both simulators over real HTTP on 127.0.0.1, a registered client key, and consent requests the test puts in place of the Altinn 3 simulator. */
export interface AltinnKit {
  maskinporten: StartedMaskinportenSandbox;
  skatteetaten: StartedSkatteetatenSandbox;
  key: SandboxClientKey;
  consents: Map<string, AltinnConsentView>;
  config: MaskinportenConfig;
  metrics: MetricsService;
  cipher: DataCipher;
  /** A MaskinportenClient (one replica) over `store`, by default a fresh in-process store. */
  client(store?: StateStore, config?: MaskinportenConfig): MaskinportenClient;
  addConsent(partial: Partial<AltinnConsentView> & Pick<AltinnConsentView, 'from' | 'rights'>): AltinnConsentView;
  close(): Promise<void>;
}

export async function startAltinnKit(opts: { timeoutMs?: number; altinnSamtykke?: AltinnSamtykkeVerifier; certificateCaPem?: string } = {}): Promise<AltinnKit> {
  const key = generateSandboxClientKey();
  const consents = new Map<string, AltinnConsentView>();
  const maskinporten = await startMaskinportenSandbox({
    clients: [{ clientId: CLIENT_ID, orgNumber: BANK_ORG, scopes: DATA_SCOPES, keys: [{ kid: key.kid, key: key.publicJwk }], certificate: opts.certificateCaPem ? { trustedCaPem: opts.certificateCaPem } : undefined }],
    consentLookup: (id) => consents.get(id),
  });
  const skatteetaten = await startSkatteetatenSandbox({
    maskinportenIssuer: maskinporten.sandbox.issuer,
    maskinportenKeys: createLocalJWKSet({ keys: [await maskinporten.sandbox.publicJwk()] }),
    altinnSamtykke: opts.altinnSamtykke,
  });
  const loaded = loadMaskinportenConfig({
    MASKINPORTEN_ISSUER: maskinporten.sandbox.issuer,
    MASKINPORTEN_CLIENT_ID: CLIENT_ID,
    MASKINPORTEN_PRIVATE_KEY: key.privateKeyPem,
    MASKINPORTEN_KID: key.kid,
    ALTINN_TIMEOUT_MS: String(opts.timeoutMs ?? 2000),
  });
  if (!loaded.ok) throw new Error(`kit config: ${JSON.stringify(loaded.problems)}`);
  const metrics = new MetricsService();
  const cipher = new DataCipher([randomBytes(32)]);
  const https: MaskinportenHttpClient[] = [];
  return {
    maskinporten,
    skatteetaten,
    key,
    consents,
    config: loaded.config,
    metrics,
    cipher,
    client(store = new MemoryStateStore(), config = loaded.config) {
      const http = new MaskinportenHttpClient(metrics, { timeoutMs: config.timeoutMs });
      https.push(http);
      return new MaskinportenClient(config, http, store, cipher);
    },
    addConsent(partial) {
      const view: AltinnConsentView = {
        id: randomUUID(),
        status: 'accepted',
        to: `urn:altinn:organization:identifier-no:${BANK_ORG}`,
        validTo: new Date(Date.now() + 30 * 86_400_000),
        consented: new Date(),
        ...partial,
      };
      consents.set(view.id, view);
      return view;
    },
    async close() {
      await Promise.all(https.map((h) => h.close()));
      await Promise.all([maskinporten.close(), skatteetaten.close()]);
    },
  };
}

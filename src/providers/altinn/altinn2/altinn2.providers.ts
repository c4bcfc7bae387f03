import type { FactoryProvider } from '@nestjs/common';
import { DataCipher, NationalIdHasher } from '../../../common/crypto/data-cipher';
import { AppError } from '../../../common/problem';
import { AppConfig } from '../../../config/app-config';
import { ConsentRepository } from '../../../consents/consent.repository';
import { ConsentFlowService } from '../../../consent-flow/consent-flow.service';
import { MetricsService } from '../../../metrics/metrics.service';
import { ALTINN_CLIENTS, type AltinnClients } from '../altinn-clients';
import { Altinn2Clients } from './altinn2-clients';
import { Altinn2ConsentReader } from './altinn2-consent.reader';
import { Altinn2FlowCompletion } from './altinn2-flow.completion';

/** Injection tokens of Altinn 2's (nullable) parts: null unless ALTINN_VERSION=2 loaded AppConfig.altinn2. */
export const ALTINN2_CLIENTS = Symbol('Altinn2Clients');
export const ALTINN2_COMPLETION = Symbol('Altinn2FlowCompletion');
export const ALTINN2_READER = Symbol('Altinn2ConsentReader');

/**
 * Altinn 2's parts for AltinnModule, built whenever AppConfig.altinn2 is set (so `altinn2:`
 * consents stay readable): one Altinn2Clients over the Maskinporten and Skatteetaten clients of
 * AltinnClients, the callback's completion and the consent reader on top of its collector.
 */
export const ALTINN2_PROVIDERS: FactoryProvider[] = [
  {
    provide: ALTINN2_CLIENTS,
    inject: [AppConfig, MetricsService, ALTINN_CLIENTS],
    useFactory: (app: AppConfig, metrics: MetricsService, clients: AltinnClients | null): Altinn2Clients | null =>
      app.altinn2 && app.altinn && clients
        ? new Altinn2Clients({
            altinn2: app.altinn2,
            orgNumber: app.altinn.orgNumber,
            redirectUri: app.altinn.redirectUri,
            timeoutMs: app.altinn.timeoutMs,
            httpsProxy: app.httpsProxy,
            metrics,
            maskinporten: clients.maskinporten,
            taxAssessment: clients.taxAssessment,
            income: clients.income,
          })
        : null,
  },
  {
    provide: ALTINN2_COMPLETION,
    inject: [ALTINN2_CLIENTS, ConsentFlowService, ConsentRepository, DataCipher, NationalIdHasher],
    useFactory: (a2: Altinn2Clients | null, flows: ConsentFlowService, consents: ConsentRepository, cipher: DataCipher, hasher: NationalIdHasher) =>
      a2 ? new Altinn2FlowCompletion(flows, a2.collector, consents, cipher, hasher) : null,
  },
  {
    provide: ALTINN2_READER,
    inject: [ALTINN2_CLIENTS, DataCipher, NationalIdHasher],
    useFactory: (a2: Altinn2Clients | null, cipher: DataCipher, hasher: NationalIdHasher) => (a2 ? new Altinn2ConsentReader(a2.collector, cipher, hasher) : null),
  },
];

/** Our providerConsentId of an Altinn 2 consent starts so (altinn2ProviderConsentId). */
export function isAltinn2Consent(consent: { providerConsentId: string }): boolean {
  return consent.providerConsentId.startsWith('altinn2:');
}

/** The part, or a 503 when Altinn 2 is not configured here (ALTINN_VERSION is not 2). */
export function requireAltinn2<T>(part: T | null): T {
  if (!part) throw new AppError('ALTINN_UNAVAILABLE', 'Altinn 2 is not enabled in this service (ALTINN_VERSION).');
  return part;
}

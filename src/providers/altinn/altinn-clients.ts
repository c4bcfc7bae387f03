import type { OnApplicationShutdown } from '@nestjs/common';
import type { DataCipher } from '../../common/crypto/data-cipher';
import { AppError } from '../../common/problem';
import type { AppConfig } from '../../config/app-config';
import type { MetricsService } from '../../metrics/metrics.service';
import type { StateStore } from '../../redis/state-store';
import type { AltinnConfig } from './altinn.config';
import { Altinn3ConsentClient } from './altinn3/altinn3-consent.client';
import { AltinnHttpClient } from './altinn-http.client';
import { MaskinportenHttpClient } from './maskinporten/maskinporten-http.client';
import { MaskinportenClient } from './maskinporten/maskinporten.client';
import { IncomeClient } from './skatteetaten/income.client';
import { SkatteetatenHttpClient } from './skatteetaten/skatteetaten-http.client';
import { TaxAssessmentClient } from './skatteetaten/tax-assessment.client';

/**
 * Altinn's upstream clients, built once from the typed configuration: Maskinporten (grants, cached
 * across replicas), Altinn 3's consent requests and Skatteetaten's two APIs. Every call is bounded
 * by ALTINN_TIMEOUT_MS. Absent (null) when PROVIDERS does not enable altinn.
 */
export class AltinnClients implements OnApplicationShutdown {
  readonly maskinporten: MaskinportenClient;
  readonly altinn3: Altinn3ConsentClient;
  readonly taxAssessment: TaxAssessmentClient;
  readonly income: IncomeClient;
  private readonly https: Array<{ close(): Promise<void> }>;

  constructor(
    readonly config: AltinnConfig,
    app: AppConfig,
    metrics: MetricsService,
    store: StateStore,
    cipher: DataCipher,
  ) {
    const maskinporten = app.maskinporten!;
    const skatteetaten = app.skatteetaten!;
    const options = { timeoutMs: config.timeoutMs, httpsProxy: app.httpsProxy };
    const mpHttp = new MaskinportenHttpClient(metrics, options);
    const altinnHttp = new AltinnHttpClient(metrics, options);
    const skeHttp = new SkatteetatenHttpClient(metrics, options);
    this.https = [mpHttp, altinnHttp, skeHttp];
    this.maskinporten = new MaskinportenClient(maskinporten, mpHttp, store, cipher);
    this.altinn3 = new Altinn3ConsentClient(altinnHttp, (scope) => this.maskinporten.token(scope), { platformUrl: config.platformUrl, orgNumber: config.orgNumber });
    this.taxAssessment = new TaxAssessmentClient(skatteetaten, skeHttp);
    this.income = new IncomeClient(skatteetaten, skeHttp);
  }

  /** The factory of AltinnModule: the clients when Altinn is configured, else null. */
  static create(app: AppConfig, metrics: MetricsService, store: StateStore, cipher: DataCipher): AltinnClients | null {
    return app.altinn && app.maskinporten && app.skatteetaten ? new AltinnClients(app.altinn, app, metrics, store, cipher) : null;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.https.map((h) => h.close()));
  }
}

/** The injection token of the (nullable) AltinnClients. */
export const ALTINN_CLIENTS = Symbol('AltinnClients');

/** The clients, or a 503 when Altinn is not enabled here (a stored Altinn consent read while PROVIDERS leaves it out). */
export function requireAltinn(clients: AltinnClients | null): AltinnClients {
  if (!clients) throw new AppError('ALTINN_UNAVAILABLE', 'Altinn is not enabled in this service (PROVIDERS).');
  return clients;
}

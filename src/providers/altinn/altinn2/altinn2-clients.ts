import type { OnApplicationShutdown } from '@nestjs/common';
import type { MetricsService } from '../../../metrics/metrics.service';
import type { MaskinportenClient } from '../maskinporten/maskinporten.client';
import type { IncomeClient } from '../skatteetaten/income.client';
import type { TaxAssessmentClient } from '../skatteetaten/tax-assessment.client';
import { Altinn2Collector } from './altinn2-collector';
import { Altinn2FlowStarter } from './altinn2-flow.starter';
import { AltinnHttpClient } from '../altinn-http.client';
import { Altinn2TokenClient } from './altinn2-token.client';
import { Altinn2TokenVerifier } from './altinn2-token.verifier';
import type { Altinn2Settings } from './altinn2.config';

export interface Altinn2ClientsInput {
  /** ALTINN2_URL, ALTINN2_API_KEY, ALTINN2_RESOURCES_* (altinn2Config). */
  altinn2: Altinn2Settings;
  /** ALTINN_ORG_NUMBER: CoveredBy in the link and in every token. */
  orgNumber: string;
  /** ALTINN_REDIRECT_URI. */
  redirectUri: string;
  /** ALTINN_TIMEOUT_MS. */
  timeoutMs: number;
  httpsProxy?: string;
  metrics: MetricsService;
  /** Shared with Altinn 3: the data-scope tokens and Skatteetaten's two APIs. */
  maskinporten: MaskinportenClient;
  taxAssessment: TaxAssessmentClient;
  income: IncomeClient;
}

/**
 * Altinn 2's parts built once (ALTINN_VERSION=2): one HTTP client (upstream `altinn`), one
 * verifier (its key-set cache must be shared by every flow and read), the flow starter and the
 * collector that Altinn2FlowCompletion and Altinn2ConsentReader use.
 */
export class Altinn2Clients implements OnApplicationShutdown {
  readonly starter: Altinn2FlowStarter;
  readonly collector: Altinn2Collector;
  private readonly http: AltinnHttpClient;

  constructor(input: Altinn2ClientsInput) {
    const { altinn2 } = input;
    this.http = new AltinnHttpClient(input.metrics, { timeoutMs: input.timeoutMs, httpsProxy: input.httpsProxy });
    const tokens = new Altinn2TokenClient(this.http, { url: altinn2.url, apiKey: altinn2.apiKey });
    const verifier = new Altinn2TokenVerifier(this.http, { url: altinn2.url, orgNumber: input.orgNumber });
    this.starter = new Altinn2FlowStarter({ url: altinn2.url, resources: altinn2.resources, orgNumber: input.orgNumber, redirectUri: input.redirectUri });
    this.collector = new Altinn2Collector(tokens, verifier, input.maskinporten, input.taxAssessment, input.income, altinn2.resources);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.http.close();
  }
}

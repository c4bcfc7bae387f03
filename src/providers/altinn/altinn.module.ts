import { Module, OnModuleInit } from '@nestjs/common';
import { DataCipher } from '../../common/crypto/data-cipher';
import { AppConfig } from '../../config/app-config';
import { ConsentFlowModule } from '../../consent-flow/consent-flow.module';
import { ConsentsModule } from '../../consents/consents.module';
import { MetricsService } from '../../metrics/metrics.service';
import { StateStore } from '../../redis/state-store';
import { ProviderRegistry } from '../provider-registry';
import { AltinnCallbackController } from './altinn-callback.controller';
import { ALTINN_CLIENTS, AltinnClients } from './altinn-clients';
import { AltinnCollector } from './altinn-collector';
import { AltinnConsentDataController } from './altinn-consent-data.controller';
import { AltinnDataReader } from './altinn-data.reader';
import { AltinnEventsPoller } from './events/altinn-events.poller';
import { AltinnEventsRepository } from './events/altinn-events.repository';
import { AltinnEventsService } from './events/altinn-events.service';
import { AltinnFlowCompletion } from './altinn-flow.completion';
import { AltinnFlowDataController } from './altinn-flow-data.controller';
import { AltinnProvider } from './altinn.provider';
import { ALTINN2_PROVIDERS } from './altinn2/altinn2.providers';

/**
 * Altinn (tax-assessment and income): its upstream clients, the provider's capabilities
 * (registered when PROVIDERS has altinn), the callback, the data routes and the events poller;
 * with ALTINN_VERSION=2 Altinn 2's parts beside them (ALTINN2_PROVIDERS: no events poller there).
 */
@Module({
  imports: [ConsentsModule, ConsentFlowModule],
  controllers: [AltinnCallbackController, AltinnFlowDataController, AltinnConsentDataController],
  providers: [
    { provide: ALTINN_CLIENTS, useFactory: AltinnClients.create, inject: [AppConfig, MetricsService, StateStore, DataCipher] },
    ...ALTINN2_PROVIDERS,
    AltinnProvider,
    AltinnCollector,
    AltinnFlowCompletion,
    AltinnDataReader,
    AltinnEventsRepository,
    AltinnEventsService,
    AltinnEventsPoller,
  ],
  exports: [AltinnProvider],
})
export class AltinnModule implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: ProviderRegistry,
    private readonly altinn: AltinnProvider,
  ) {}

  onModuleInit(): void {
    if (this.config.providers.includes('altinn')) this.registry.register(this.altinn);
  }
}

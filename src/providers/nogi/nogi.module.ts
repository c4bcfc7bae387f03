import { Global, Module, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ProviderRegistry } from '../provider-registry';
import { NogiAuthCodeClient } from './nogi-auth-code.client';
import { NogiAgreementClient } from './nogi-agreement.client';
import { NogiDebtClient } from './nogi-debt.client';
import { NogiDiscoveryClient } from './nogi-discovery.client';
import { NogiHttpClient } from './nogi-http.client';
import { NogiIdTokenVerifier } from './nogi-id-token.verifier';
import { NogiTokenClient } from './nogi-token.client';
import { NogiDebtReader } from './nogi-debt.reader';
import { NogiProvider } from './nogi.provider';

/** NoGi's clients, its debt reader and its capabilities (registered when NoGi is enabled). Feature modules use these; none of them imports undici itself. */
@Global()
@Module({
  providers: [NogiHttpClient, NogiDiscoveryClient, NogiAuthCodeClient, NogiIdTokenVerifier, NogiTokenClient, NogiDebtClient, NogiAgreementClient, NogiDebtReader, NogiProvider],
  exports: [NogiHttpClient, NogiDiscoveryClient, NogiAuthCodeClient, NogiIdTokenVerifier, NogiTokenClient, NogiDebtClient, NogiAgreementClient, NogiDebtReader, NogiProvider],
})
export class NogiModule implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: ProviderRegistry,
    private readonly nogi: NogiProvider,
  ) {}

  onModuleInit(): void {
    if (this.config.providers.includes('nogi')) this.registry.register(this.nogi);
  }
}

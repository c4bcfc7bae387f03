import { Module, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ConsentsModule } from '../../consents/consents.module';
import { ProviderRegistry } from '../provider-registry';
import { OpenbankingAccountsReader } from './openbanking-accounts.reader';
import { OpenbankingConsentsController } from './openbanking-consents.controller';
import { DEFAULT_OPENBANKING_TIMEOUT_MS, OpenbankingConfig } from './openbanking.config';
import { OpenbankingProvider } from './openbanking.provider';
import { OPENBANKING_PROVIDERS } from './openbanking.providers';

/**
 * The partner bank (open banking): its clients, the accounts reader and routes, and its
 * capabilities, registered when PROVIDERS enables openbanking. When it is not enabled the module
 * still loads (the routes answer 400 naming `dataset`) with a configuration that is never called.
 */
@Module({
  imports: [ConsentsModule],
  controllers: [OpenbankingConsentsController],
  providers: [
    { provide: OpenbankingConfig, inject: [AppConfig], useFactory: (config: AppConfig) => config.openbanking ?? new OpenbankingConfig({ mode: 'api', apiUrl: 'http://127.0.0.1:9', timeoutMs: DEFAULT_OPENBANKING_TIMEOUT_MS }) },
    ...OPENBANKING_PROVIDERS,
    OpenbankingAccountsReader,
    OpenbankingProvider,
  ],
})
export class OpenbankingModule implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: ProviderRegistry,
    private readonly openbanking: OpenbankingProvider,
  ) {}

  onModuleInit(): void {
    if (this.config.providers.includes('openbanking')) this.registry.register(this.openbanking);
  }
}

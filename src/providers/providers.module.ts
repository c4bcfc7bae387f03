import { Global, Module } from '@nestjs/common';
import { ProviderRegistry } from './provider-registry';

/** The registry every provider module registers its capabilities in. */
@Global()
@Module({ providers: [ProviderRegistry], exports: [ProviderRegistry] })
export class ProvidersModule {}

import { Injectable } from '@nestjs/common';
import type { Provider } from './datasets';
import type { ProviderCapabilities } from './provider-capabilities';

/**
 * The one place the neutral features (flows, consents, the revocation outbox) find what a provider
 * can do. Each provider's module registers its capabilities when it starts (`onModuleInit`); a
 * provider that is not enabled (PROVIDERS) registers nothing.
 */
@Injectable()
export class ProviderRegistry {
  private readonly providers = new Map<Provider, ProviderCapabilities>();

  register(capabilities: ProviderCapabilities): void {
    if (this.providers.has(capabilities.provider)) throw new Error(`Provider ${capabilities.provider} is registered twice`);
    this.providers.set(capabilities.provider, capabilities);
  }

  /** The capabilities of a provider; an unregistered one has none (no flow, local revocation). */
  of(provider: Provider): ProviderCapabilities {
    return this.providers.get(provider) ?? { provider };
  }

  has(provider: Provider): boolean {
    return this.providers.has(provider);
  }
}

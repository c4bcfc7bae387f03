import { ProviderRegistry } from './provider-registry';

describe('ProviderRegistry', () => {
  it('hands out what a provider registered, and nothing for one that did not register', async () => {
    const registry = new ProviderRegistry();
    registry.register({ provider: 'nogi', revoke: async () => 'revoked' });
    expect(registry.has('nogi')).toBe(true);
    expect(await registry.of('nogi').revoke!('id')).toBe('revoked');
    // An unregistered provider (not enabled, or without upstream revocation) has no capabilities.
    expect(registry.has('altinn')).toBe(false);
    expect(registry.of('altinn')).toEqual({ provider: 'altinn' });
  });

  it('refuses a provider registered twice (two modules claiming one provider)', () => {
    const registry = new ProviderRegistry();
    registry.register({ provider: 'openbanking' });
    expect(() => registry.register({ provider: 'openbanking' })).toThrow(/registered twice/);
  });
});

import Fastify, { FastifyInstance } from 'fastify';
import { SandboxIssuer, SandboxTokenRequest } from '../../src/sandbox/sandbox-issuer';
import type { Scope } from '../../src/auth/caller';

export const TEST_AUDIENCE = 'nogi-consent-bff-test';

/** The bank IdP as the tests see it: a real JWKS over HTTP and a token minter. */
export class TestIssuer {
  private constructor(
    private readonly server: FastifyInstance,
    readonly issuer: SandboxIssuer,
    readonly jwksUrl: string,
  ) {}

  static async start(): Promise<TestIssuer> {
    const server = Fastify();
    const probe = await SandboxIssuer.create({ issuer: 'pending', audience: TEST_AUDIENCE, nationalIdClaim: 'pid' });
    server.get('/jwks', async () => probe.jwks);
    const address = await server.listen({ port: 0, host: '127.0.0.1' });
    return new TestIssuer(server, probe, `${address}/jwks`);
  }

  get env(): Record<string, string> {
    return { AUTH_ISSUER: this.issuer.issuer, AUTH_AUDIENCE: TEST_AUDIENCE, AUTH_JWKS_URL: this.jwksUrl };
  }

  /** A service token (no national id claim). */
  service(scopes: Scope[], extra: Partial<SandboxTokenRequest> = {}): Promise<string> {
    return this.issuer.mint({ scopes, clientId: 'test-service', ...extra });
  }

  /** A customer token acting for one person. */
  customer(nationalId: string, scopes: Scope[]): Promise<string> {
    return this.issuer.mint({ scopes, nationalId, clientId: 'nettbank' });
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

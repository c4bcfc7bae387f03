import { Global, Module } from '@nestjs/common';
import { NogiAuthCodeClient } from './nogi-auth-code.client';
import { NogiAgreementClient } from './nogi-agreement.client';
import { NogiDebtClient } from './nogi-debt.client';
import { NogiDiscoveryClient } from './nogi-discovery.client';
import { NogiHttpClient } from './nogi-http.client';
import { NogiIdTokenVerifier } from './nogi-id-token.verifier';
import { NogiTokenClient } from './nogi-token.client';

/** The upstream clients. Feature modules use these; none of them imports undici itself. */
@Global()
@Module({
  providers: [NogiHttpClient, NogiDiscoveryClient, NogiAuthCodeClient, NogiIdTokenVerifier, NogiTokenClient, NogiDebtClient, NogiAgreementClient],
  exports: [NogiHttpClient, NogiDiscoveryClient, NogiAuthCodeClient, NogiIdTokenVerifier, NogiTokenClient, NogiDebtClient, NogiAgreementClient],
})
export class NogiModule {}

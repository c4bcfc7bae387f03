import { Global, Module } from '@nestjs/common';
import { NogiDiscoveryClient } from './nogi-discovery.client';
import { NogiHttpClient } from './nogi-http.client';
import { NogiTokenClient } from './nogi-token.client';

/** The upstream clients. Feature modules use these; none of them imports undici itself. */
@Global()
@Module({
  providers: [NogiHttpClient, NogiDiscoveryClient, NogiTokenClient],
  exports: [NogiHttpClient, NogiDiscoveryClient, NogiTokenClient],
})
export class NogiModule {}

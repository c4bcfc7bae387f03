import type { Provider } from '@nestjs/common';
import { OpenbankingAccountsClient } from './accounts.client';
import { OpenbankingAccountsService } from './openbanking-accounts.service';
import { OPENBANKING_CREDENTIALS } from './openbanking-credentials';
import { OpenbankingHttpClient } from './openbanking-http.client';
import { OpenbankingTokenClient } from './openbanking-token.client';
import { OpenbankingConfig } from './openbanking.config';
import { Psd2FallbackSigner } from './psd2-fallback.signer';

/**
 * The partner bank's providers for a module that also provides OpenbankingConfig, MetricsService,
 * StateStore and DataCipher. The credentials follow OPENBANKING_MODE: the token client (`api`) or
 * the fallback signer (`fallback`).
 */
export const OPENBANKING_PROVIDERS: Provider[] = [
  OpenbankingHttpClient,
  OpenbankingTokenClient,
  {
    provide: OPENBANKING_CREDENTIALS,
    inject: [OpenbankingConfig, OpenbankingTokenClient],
    useFactory: (config: OpenbankingConfig, tokens: OpenbankingTokenClient) => (config.mode === 'fallback' ? new Psd2FallbackSigner(config.qseal!) : tokens),
  },
  OpenbankingAccountsClient,
  OpenbankingAccountsService,
];

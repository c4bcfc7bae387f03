import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { CallerAuthGuard } from './auth/caller-auth.guard';
import { ConsentFeedModule } from './consent-feed/consent-feed.module';
import { ConsentFlowModule } from './consent-flow/consent-flow.module';
import { ProblemFilter } from './common/problem.filter';
import { CryptoModule } from './common/crypto/crypto.module';
import { ConsentsModule } from './consents/consents.module';
import { AppConfig } from './config/app-config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { NogiModule } from './providers/nogi/nogi.module';
import { NogiFlowModule } from './providers/nogi/nogi-flow.module';
import { OpenbankingModule } from './providers/openbanking/openbanking.module';
import { AltinnModule } from './providers/altinn/altinn.module';
import { ProvidersModule } from './providers/providers.module';
import { REDIS_KEY_PREFIX, RedisModule } from './redis/redis.module';

export interface AppModuleOptions {
  config: AppConfig;
  /** Namespace of every Redis key; tests give each application its own. */
  redisKeyPrefix?: string;
}

@Global()
@Module({})
class ConfigHolderModule {}

@Module({})
export class AppModule {
  static register(options: AppModuleOptions): DynamicModule {
    const shared: Provider[] = [
      { provide: AppConfig, useValue: options.config },
      { provide: REDIS_KEY_PREFIX, useValue: options.redisKeyPrefix ?? 'nogi-bff:' },
    ];
    return {
      module: AppModule,
      imports: [
        { module: ConfigHolderModule, providers: shared, exports: shared, global: true },
        DatabaseModule,
        RedisModule,
        CryptoModule,
        HealthModule,
        MetricsModule,
        ProvidersModule,
        NogiModule,
        AuditModule,
        // Feature modules (one line each):
        ConsentFeedModule,
        ConsentsModule,
        ConsentFlowModule,
        OpenbankingModule,
        // Providers' own routes (callbacks, data), when enabled (PROVIDERS):
        ...(options.config.providers.includes('nogi') ? [NogiFlowModule] : []),
        AltinnModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: CallerAuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}

import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { MemoryStateStore } from './memory-state.store';
import { RedisStateStore } from './redis-state.store';
import { StateStore } from './state-store';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
/** Every key this service writes starts with this; tests pass their own to stay apart. */
export const REDIS_KEY_PREFIX = Symbol('REDIS_KEY_PREFIX');

export function createRedisClient(url: string, logger: Logger): Redis {
  const client = new Redis(url, {
    // Fail fast instead of queueing while Redis is away: callers answer 503 and nothing hangs.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    // Commands issued in the same event-loop turn (many requests under load) leave in one write:
    // a socket write costs more than the command itself.
    enableAutoPipelining: true,
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) logger.warn({ error: error.message }, 'Redis connection error');
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.log('Redis connection restored');
    down = false;
  });
  return client;
}

function waitUntilReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done);
  });
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<Redis | null> => {
        if (!config.redisUrl) return null;
        const client = createRedisClient(config.redisUrl, new Logger('Redis'));
        // Commands fail fast while disconnected (no offline queue), so give the first connection a
        // moment before serving; if Redis is down, start anyway and report not ready.
        await waitUntilReady(client, 3000);
        return client;
      },
    },
    {
      provide: StateStore,
      inject: [AppConfig, REDIS_CLIENT, REDIS_KEY_PREFIX],
      useFactory: (config: AppConfig, redis: Redis | null, prefix: string): StateStore => {
        if (redis) return new RedisStateStore(redis, prefix);
        if (!config.sandbox) throw new Error('REDIS_URL is required outside sandbox mode');
        return new MemoryStateStore();
      },
    },
  ],
  exports: [StateStore, REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
    private readonly store: StateStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.store instanceof MemoryStateStore) this.store.close();
    if (this.redis) await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}

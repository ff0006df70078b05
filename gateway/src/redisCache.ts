import {
  ErrorsAreMissesCache,
  PrefixingKeyValueCache,
  type KeyValueCache,
  type KeyValueCacheSetOptions,
} from '@apollo/utils.keyvaluecache';
import type { Redis } from '@fedstack/runtime/redis';

/** What an entry stored without a `ttl` lives: a day, so that nothing stays in Redis forever. */
const DEFAULT_TTL_SECONDS = 86_400;

/**
 * Apollo's `KeyValueCache` on the gateway's own ioredis client. Reads reject while Redis is down
 * (the client queues nothing), and `ErrorsAreMissesCache` turns that into a miss; writes and
 * deletes that fail are dropped, since the outage is already logged once by the client.
 */
class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(private readonly client: Redis) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(key)) ?? undefined;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttl = options?.ttl === undefined ? DEFAULT_TTL_SECONDS : options.ttl;
    try {
      if (ttl === null || ttl <= 0) await this.client.set(key, value);
      else await this.client.set(key, value, 'PX', Math.ceil(ttl * 1000));
    } catch {
      // A cache write that fails leaves a miss; the next request stores it again.
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.del(key);
    } catch {
      // As for `set`.
    }
  }
}

/**
 * The cache Apollo Server keeps in Redis with `REDIS_URL` (automatic persisted queries), shared
 * by every gateway replica: a query registered on one is found by the others. While Redis is
 * down every read is a miss, so clients send the full query again and are served.
 */
export function redisCache(client: Redis): KeyValueCache<string> {
  return new ErrorsAreMissesCache(
    new PrefixingKeyValueCache(new RedisKeyValueCache(client), 'fedstack:gateway:'),
  );
}

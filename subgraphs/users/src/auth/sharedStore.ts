import { ErrorCode, type Logger } from '@fedstack/kit';
import { GraphQLError } from 'graphql';
import { Redis } from 'ioredis';
import { RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * What a client sees while the throttles' shared store cannot be reached: the attempt is refused
 * (fail closed), since letting it through would lift the limit for every replica at once. The
 * code is the one the services already answer for a store that is down and may be back soon.
 */
export function throttleUnavailable(action: 'Sign-in' | 'Registration', cause: unknown) {
  return new GraphQLError(`${action} is unavailable right now; try again shortly`, {
    extensions: { code: ErrorCode.DATABASE_UNAVAILABLE },
    originalError: cause instanceof Error ? cause : undefined,
  });
}

/**
 * Opens the Redis client the throttles share (`REDIS_URL`). As rate-limiter-flexible advises for
 * ioredis, commands are not queued while disconnected: they fail at once, so a request never
 * waits for Redis to come back. The client reconnects by itself, so throttling works again
 * without a restart once Redis answers. One warning per outage, one notice when it is over.
 * Resolves once the first connection attempt has succeeded or failed; a failed one does not stop
 * start-up (sign-ins and registrations are refused until Redis answers).
 */
export async function openRedis(url: string, logger: Logger): Promise<Redis> {
  const client = new Redis(url, { enableOfflineQueue: false });
  let failing = false;
  client.on('error', (error: Error) => {
    if (failing) return;
    failing = true;
    logger.warn(
      { event: 'redis.unavailable', err: { message: error.message } },
      'Redis is unreachable: sign-ins and registrations are refused until it answers',
    );
  });
  client.on('ready', () => {
    if (!failing) return;
    failing = false;
    logger.info({ event: 'redis.recovered' }, 'Redis answers again');
  });
  await new Promise<void>((resolve) => {
    const done = () => {
      client.off('ready', done);
      client.off('error', done);
      resolve();
    };
    client.once('ready', done);
    client.once('error', done);
  });
  return client;
}

/** Closes the client, politely when it is connected. */
export async function closeRedis(client: Redis): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/**
 * A limiter on Redis with the same key prefix, points and duration as its in-memory twin, so that
 * every replica counts against the same keys. It rejects at once while Redis is not ready and
 * has no insurance limiter: the callers turn that failure into a refusal.
 */
export function redisLimiter(
  client: Redis,
  options: { keyPrefix: string; points: number; duration: number },
): RateLimiterAbstract {
  return new RateLimiterRedis({ storeClient: client, rejectIfRedisNotReady: true, ...options });
}

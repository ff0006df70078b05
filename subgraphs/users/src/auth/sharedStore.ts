import { ErrorCode } from '@fedstack/kit';
import { GraphQLError } from 'graphql';
import type { Redis } from '@fedstack/runtime/redis';
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

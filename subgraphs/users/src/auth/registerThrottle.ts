import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from '@fedstack/runtime/redis';
import { addressKey } from './addressKey';
import { redisLimiter, throttleUnavailable } from './sharedStore';

/** How registrations are throttled; see `readConfig` for the variables and their defaults. */
export interface RegisterThrottleSettings {
  /** Registrations one client address may make within `ipWindowSeconds`. */
  ipMaxRegistrations: number;
  ipWindowSeconds: number;
}

function storeOptions(settings: RegisterThrottleSettings) {
  return {
    keyPrefix: 'register-ip',
    points: settings.ipMaxRegistrations,
    duration: settings.ipWindowSeconds,
  };
}

/** The registration store on Redis (`REDIS_URL`), shared by every users process using `client`. */
export function redisRegisterStore(
  settings: RegisterThrottleSettings,
  client: Redis,
): RateLimiterAbstract {
  return redisLimiter(client, storeOptions(settings));
}

/** What `RegisterThrottle.admit` decided. */
export type RegisterAdmission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/**
 * Throttles `register` per client address, so that one client cannot fill the users table or keep
 * the password hasher busy. Every registration that gets as far as hashing counts, taken usernames
 * included (they also tell which usernames exist).
 */
export class RegisterThrottle {
  private readonly store: RateLimiterAbstract;

  /**
   * `store` defaults to memory, which suits one users process; with several, pass a limiter on a
   * shared store (`RateLimiterRedis`) with `ipMaxRegistrations` points over `ipWindowSeconds`.
   */
  constructor(settings: RegisterThrottleSettings, store?: RateLimiterAbstract) {
    this.store = store ?? new RateLimiterMemory(storeOptions(settings));
  }

  /**
   * Counts one registration from `ip` (see `addressKey`), unless its address has none left. Throws
   * a `DATABASE_UNAVAILABLE` error when the store fails (Redis down): registrations fail closed.
   */
  async admit(ip: string | undefined): Promise<RegisterAdmission> {
    try {
      await this.store.consume(addressKey(ip), 1);
      return { admitted: true };
    } catch (rejection) {
      // The limiter rejects with a RateLimiterRes when over the limit, with an Error when its store fails.
      if (!(rejection instanceof RateLimiterRes))
        throw throttleUnavailable('Registration', rejection);
      return {
        admitted: false,
        retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
      };
    }
  }
}

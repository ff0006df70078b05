import { tooManyRequests } from '@fedstack/kit';
import { GraphQLError } from 'graphql';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** How failed logins are throttled; see `readConfig` for the variables and their defaults. */
export interface LoginThrottleSettings {
  /** Failed logins an account may have within `accountWindowSeconds` before it is locked. */
  accountMaxFailures: number;
  accountWindowSeconds: number;
  /** The first lockout; each further lockout within a day doubles it, up to a day. */
  accountLockoutSeconds: number;
  /** Failed logins one client address may have within `ipWindowSeconds`, whatever the username. */
  ipMaxFailures: number;
  ipWindowSeconds: number;
}

/**
 * The counters behind the throttle. In memory by default, which suits one users process; with
 * several, pass limiters that share a store (rate-limiter-flexible's `RateLimiterRedis` takes the
 * same options plus a client), so that every process sees the same counts.
 */
export interface LoginThrottleStores {
  /** Failures per username, `accountMaxFailures` points over `accountWindowSeconds`. */
  account: RateLimiterAbstract;
  /** Lockouts per username over the last day, to grow the next one. */
  lockouts: RateLimiterAbstract;
  /** Failures per client address, `ipMaxFailures` points over `ipWindowSeconds`. */
  ip: RateLimiterAbstract;
}

/** The longest lockout, however many came before it. */
const MAX_LOCKOUT_SECONDS = 86_400;

export function memoryStores(settings: LoginThrottleSettings): LoginThrottleStores {
  return {
    account: new RateLimiterMemory({
      keyPrefix: 'login-account',
      points: settings.accountMaxFailures,
      duration: settings.accountWindowSeconds,
    }),
    lockouts: new RateLimiterMemory({
      keyPrefix: 'login-lockouts',
      points: Number.MAX_SAFE_INTEGER,
      duration: MAX_LOCKOUT_SECONDS,
    }),
    ip: new RateLimiterMemory({
      keyPrefix: 'login-ip',
      points: settings.ipMaxFailures,
      duration: settings.ipWindowSeconds,
    }),
  };
}

/** A refused attempt: which limit it hit, and the `TOO_MANY_REQUESTS` error for the client. */
export class LoginThrottled extends Error {
  override name = 'LoginThrottled';

  constructor(
    readonly scope: 'account' | 'ip',
    readonly retryAfterSeconds: number,
  ) {
    super(`login throttled by ${scope} for ${retryAfterSeconds} s`);
  }

  toGraphQLError(): GraphQLError {
    return tooManyRequests(
      this.retryAfterSeconds,
      `Too many failed login attempts; retry in ${this.retryAfterSeconds} s`,
    );
  }
}

/** One admitted attempt; report how it ended exactly once. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
  failed(): Promise<void>;
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * Throttles password guessing per account and per client address (OWASP Authentication Cheat
 * Sheet: lock an account after a few failures for a while, growing with each lockout, and limit
 * each client across accounts). An attempt is counted before the password is checked, so
 * concurrent requests cannot slip past the limit together; a success gives its point back and
 * clears the account's counters, so only failures count.
 */
export class LoginThrottle {
  private readonly stores: LoginThrottleStores;

  constructor(
    private readonly settings: LoginThrottleSettings,
    stores?: LoginThrottleStores,
  ) {
    this.stores = stores ?? memoryStores(settings);
  }

  /**
   * Admits one attempt for `username` (compared without case) from `ip`, or throws
   * `LoginThrottled` when the account is locked or the address is over its limit. An unknown
   * `ip` is not limited by address.
   */
  async begin(username: string, ip: string | undefined): Promise<LoginAttempt> {
    const account = username.toLowerCase();
    const { stores } = this;
    if (ip) await consume(stores.ip, ip, 'ip');
    const consumed = await consume(stores.account, account, 'account');
    let settled = false;
    const settle = () => {
      if (settled) throw new Error('a login attempt was reported twice');
      settled = true;
    };
    return {
      succeeded: async () => {
        settle();
        await Promise.all([
          stores.account.delete(account),
          stores.lockouts.delete(account),
          ip ? stores.ip.reward(ip, 1) : undefined,
        ]);
      },
      failed: async () => {
        settle();
        if (consumed.consumedPoints < this.settings.accountMaxFailures) return;
        const { consumedPoints: lockouts } = await stores.lockouts.penalty(account, 1);
        const lockout = Math.min(
          this.settings.accountLockoutSeconds * 2 ** Math.min(lockouts - 1, 20),
          MAX_LOCKOUT_SECONDS,
        );
        await stores.account.block(account, lockout);
      },
    };
  }
}

async function consume(
  limiter: RateLimiterAbstract,
  key: string,
  scope: 'account' | 'ip',
): Promise<RateLimiterRes> {
  try {
    return await limiter.consume(key, 1);
  } catch (rejection) {
    // The limiter rejects with a RateLimiterRes when over the limit, with an Error when its store fails.
    if (rejection instanceof RateLimiterRes) {
      throw new LoginThrottled(scope, seconds(rejection.msBeforeNext));
    }
    throw rejection;
  }
}

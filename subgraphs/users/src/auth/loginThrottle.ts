import { tooManyRequests } from '@fedstack/kit';
import { GraphQLError } from 'graphql';
import {
  RateLimiterMemory,
  type RateLimiterAbstract,
  type RateLimiterRes,
} from 'rate-limiter-flexible';
import type { Redis } from '@fedstack/runtime/redis';
import { addressKey } from './addressKey';
import { InFlightChecks } from './inFlightChecks';
import { redisLimiter, throttleUnavailable } from './sharedStore';

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
 * The counters behind the throttle; they count failed passwords only. In memory by default, which
 * suits one users process; with several, pass limiters that share a store (rate-limiter-flexible's
 * `RateLimiterRedis` takes the same options plus a client), so that every process sees the same
 * counts. Only `get`, `penalty`, `block` and `delete` are used.
 */
export interface LoginThrottleStores {
  /** Failures per username over `accountWindowSeconds`; a lockout blocks the key. */
  account: RateLimiterAbstract;
  /** Lockouts per username over the last day, to grow the next one. */
  lockouts: RateLimiterAbstract;
  /** Failures per client address (see `addressKey`) over `ipWindowSeconds`. */
  ip: RateLimiterAbstract;
}

/** The longest lockout, however many came before it. */
const MAX_LOCKOUT_SECONDS = 86_400;

/** Key prefix, points and duration of each store; the same in memory and in Redis. */
function storeOptions(settings: LoginThrottleSettings) {
  return {
    account: {
      keyPrefix: 'login-account',
      points: settings.accountMaxFailures,
      duration: settings.accountWindowSeconds,
    },
    lockouts: {
      keyPrefix: 'login-lockouts',
      points: Number.MAX_SAFE_INTEGER,
      duration: MAX_LOCKOUT_SECONDS,
    },
    ip: {
      keyPrefix: 'login-ip',
      points: settings.ipMaxFailures,
      duration: settings.ipWindowSeconds,
    },
  };
}

export function memoryStores(settings: LoginThrottleSettings): LoginThrottleStores {
  const options = storeOptions(settings);
  return {
    account: new RateLimiterMemory(options.account),
    lockouts: new RateLimiterMemory(options.lockouts),
    ip: new RateLimiterMemory(options.ip),
  };
}

/** The same stores on Redis (`REDIS_URL`), shared by every users process that uses `client`. */
export function redisStores(settings: LoginThrottleSettings, client: Redis): LoginThrottleStores {
  const options = storeOptions(settings);
  return {
    account: redisLimiter(client, options.account),
    lockouts: redisLimiter(client, options.lockouts),
    ip: redisLimiter(client, options.ip),
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

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** Runs `call` on the stores; a store that fails refuses the sign-in (fail closed). */
async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof LoginThrottled) throw error;
    throw throttleUnavailable('Sign-in', error);
  }
}

function countOf(res: RateLimiterRes | null): number {
  return res?.consumedPoints ?? 0;
}

/**
 * Throttles password guessing per account and per client address (OWASP Authentication Cheat
 * Sheet: lock an account after a few failures for a while, growing with each lockout, and limit
 * each client across accounts). Only wrong passwords count, after they are checked: a refused
 * attempt costs nothing, and right passwords are never refused while the account is not locked.
 * So that a burst of concurrent guesses cannot all be checked before the first failure is counted,
 * a process runs at most as many checks at once per account and per address as failures are left
 * in their budgets; further attempts wait for one to finish. With a shared store and several
 * processes, each process keeps to that bound by itself: that tracking of checks in flight stays
 * in the process, as it only orders this process's own concurrent checks; the counts, lockouts and
 * lockout history live in the stores. When a store fails (Redis down), the attempt is refused with
 * a `DATABASE_UNAVAILABLE` error rather than let through unthrottled.
 */
export class LoginThrottle {
  private readonly stores: LoginThrottleStores;
  private readonly inFlight = new InFlightChecks();

  constructor(
    private readonly settings: LoginThrottleSettings,
    stores?: LoginThrottleStores,
  ) {
    this.stores = stores ?? memoryStores(settings);
  }

  /**
   * Runs `check`, the password check of one login attempt for `username` (compared without case)
   * from `ip`, which resolves with the user for the right password and with `null` for a wrong one
   * or an unknown user; resolves with the same. Throws `LoginThrottled`, without running `check`,
   * when the account is locked or the address has no failures left. A `null` counts as a failure
   * for both, and locks the account at its last failure; a user clears the account's failures and
   * lockout history; an error from `check` counts for nothing.
   */
  async attempt<TUser>(
    username: string,
    ip: string | undefined,
    check: () => Promise<TUser | null>,
  ): Promise<TUser | null> {
    const account = username.toLowerCase();
    const address = addressKey(ip);
    const { accountMaxFailures, ipMaxFailures } = this.settings;
    const settle = await this.inFlight.admit(
      [`account:${account}`, `ip:${address}`],
      () => storeCall(() => this.failuresOf(account, address)),
      (failures, [accountChecks = 0, ipChecks = 0]) =>
        failures.account + accountChecks < accountMaxFailures &&
        failures.ip + ipChecks < ipMaxFailures,
    );
    try {
      // An error from `check` itself (the database) passes through as it is.
      const user = await check();
      if (user === null) await storeCall(() => this.failed(account, address));
      else await storeCall(() => this.succeeded(account));
      return user;
    } finally {
      // After the failure is counted, so that no admission sees neither.
      settle();
    }
  }

  private async failuresOf(account: string, address: string) {
    const { stores, settings } = this;
    const [accountRes, ipRes] = await Promise.all([
      stores.account.get(account),
      stores.ip.get(address),
    ]);
    if (accountRes && accountRes.consumedPoints >= settings.accountMaxFailures) {
      throw new LoginThrottled('account', seconds(accountRes.msBeforeNext));
    }
    if (ipRes && ipRes.consumedPoints >= settings.ipMaxFailures) {
      throw new LoginThrottled('ip', seconds(ipRes.msBeforeNext));
    }
    return { account: countOf(accountRes), ip: countOf(ipRes) };
  }

  private async failed(account: string, address: string): Promise<void> {
    const { stores, settings } = this;
    const [failures] = await Promise.all([
      stores.account.penalty(account, 1),
      stores.ip.penalty(address, 1),
    ]);
    // Exactly at the limit: only the failure that reached it locks, also across processes.
    if (failures.consumedPoints !== settings.accountMaxFailures) return;
    const { consumedPoints: lockouts } = await stores.lockouts.penalty(account, 1);
    const lockout = Math.min(
      settings.accountLockoutSeconds * 2 ** Math.min(lockouts - 1, 20),
      MAX_LOCKOUT_SECONDS,
    );
    await stores.account.block(account, lockout);
  }

  private async succeeded(account: string): Promise<void> {
    await Promise.all([this.stores.account.delete(account), this.stores.lockouts.delete(account)]);
  }
}

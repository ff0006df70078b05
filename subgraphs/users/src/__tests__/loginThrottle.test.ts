import { setTimeout as sleep } from 'node:timers/promises';
import { LoginThrottle, LoginThrottled, memoryStores } from '../auth/loginThrottle';

const settings = {
  accountMaxFailures: 2,
  accountWindowSeconds: 60,
  accountLockoutSeconds: 10,
  ipMaxFailures: 100,
  ipWindowSeconds: 3600,
};

const USER = { id: 1 };

async function refusal(promise: Promise<unknown>): Promise<LoginThrottled> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LoginThrottled) return error;
    throw error;
  }
  throw new Error('expected the attempt to be throttled');
}

/** One attempt with a wrong password; resolves with whether its password was checked. */
async function fail(throttle: LoginThrottle, username: string, ip?: string): Promise<boolean> {
  let checked = false;
  await throttle.attempt(username, ip, async () => {
    checked = true;
    return null;
  });
  return checked;
}

function succeed(throttle: LoginThrottle, username: string, ip?: string) {
  return throttle.attempt(username, ip, async () => USER);
}

/** A password check that takes `ms` and records how many ran at once. */
function slowCheck<T>(result: T, ms: number, running: { now: number; most: number }) {
  return async () => {
    running.now += 1;
    running.most = Math.max(running.most, running.now);
    await sleep(ms);
    running.now -= 1;
    return result;
  };
}

describe('LoginThrottle', () => {
  it('locks an account after its failures, doubling the lockout each time, whatever the case', async () => {
    const stores = memoryStores(settings);
    const throttle = new LoginThrottle(settings, stores);
    await fail(throttle, 'Alice');
    await fail(throttle, 'alice');
    const first = await refusal(succeed(throttle, 'ALICE', '203.0.113.1'));
    expect(first).toMatchObject({ scope: 'account', retryAfterSeconds: 10 });
    expect(first.toGraphQLError().extensions).toEqual({
      code: 'TOO_MANY_REQUESTS',
      retryAfter: 10,
    });

    // The lockout ends (as if 10 s had passed); the next one lasts twice as long.
    await stores.account.delete('alice');
    await fail(throttle, 'alice');
    await fail(throttle, 'alice');
    expect(await refusal(succeed(throttle, 'alice'))).toMatchObject({ retryAfterSeconds: 20 });
  });

  it('clears an account’s failures and lockout history on success', async () => {
    const stores = memoryStores(settings);
    const throttle = new LoginThrottle(settings, stores);
    await fail(throttle, 'bob');
    await fail(throttle, 'bob');
    await stores.account.delete('bob');
    await fail(throttle, 'bob');
    await expect(succeed(throttle, 'bob')).resolves.toBe(USER);
    // One failure after the success: had it not been cleared, this would be the second.
    await fail(throttle, 'bob');
    await expect(succeed(throttle, 'bob')).resolves.toBe(USER);
    await fail(throttle, 'bob');
    await fail(throttle, 'bob');
    expect(await refusal(succeed(throttle, 'bob'))).toMatchObject({ retryAfterSeconds: 10 });
  });

  it('counts only failures against an address, across usernames, and refuses without checking', async () => {
    const throttle = new LoginThrottle({ ...settings, ipMaxFailures: 3 });
    for (let i = 0; i < 10; i += 1) await succeed(throttle, 'carol', '203.0.113.9');
    for (const name of ['u1', 'u2', 'u3']) {
      expect(await fail(throttle, name, '203.0.113.9')).toBe(true);
    }
    const refused = await refusal(fail(throttle, 'u4', '203.0.113.9'));
    expect(refused).toMatchObject({ scope: 'ip', retryAfterSeconds: 3600 });
    expect(await refusal(succeed(throttle, 'carol', '203.0.113.9'))).toMatchObject({
      scope: 'ip',
    });
    // Control: another address is not affected.
    expect(await fail(throttle, 'u4', '203.0.113.10')).toBe(true);
  });

  it('lets a locked account’s refusals cost the address nothing', async () => {
    const throttle = new LoginThrottle({ ...settings, ipMaxFailures: 3 });
    await fail(throttle, 'locked', '198.51.100.1');
    await fail(throttle, 'locked', '198.51.100.2');
    for (let i = 0; i < 10; i += 1) {
      expect(await refusal(succeed(throttle, 'locked', '203.0.113.20'))).toMatchObject({
        scope: 'account',
      });
    }
    await expect(succeed(throttle, 'other', '203.0.113.20')).resolves.toBe(USER);
    // All three failures of the address are still there to spend.
    for (const name of ['x1', 'x2', 'x3']) {
      expect(await fail(throttle, name, '203.0.113.20')).toBe(true);
    }
    await refusal(fail(throttle, 'x4', '203.0.113.20'));
  });

  it('counts IPv6 addresses by their /64 and IPv4-mapped ones as IPv4', async () => {
    const throttle = new LoginThrottle({ ...settings, ipMaxFailures: 2 });
    await fail(throttle, 'v1', '2001:db8:1:2::a');
    await fail(throttle, 'v2', '2001:db8:1:2:ffff:ffff:ffff:ffff');
    expect(await refusal(fail(throttle, 'v3', '2001:0db8:0001:0002::1'))).toMatchObject({
      scope: 'ip',
    });
    expect(await fail(throttle, 'v3', '2001:db8:1:3::a')).toBe(true);

    await fail(throttle, 'w1', '192.0.2.7');
    await fail(throttle, 'w2', '::ffff:192.0.2.7');
    expect(await refusal(fail(throttle, 'w3', '192.0.2.7'))).toMatchObject({ scope: 'ip' });
  });

  it('lets requests without an address share one budget rather than escape the limit', async () => {
    const throttle = new LoginThrottle({ ...settings, ipMaxFailures: 2 });
    await fail(throttle, 'n1');
    await fail(throttle, 'n2', 'not-an-address');
    expect(await refusal(fail(throttle, 'n3'))).toMatchObject({ scope: 'ip' });
    expect(await fail(throttle, 'n3', '192.0.2.8')).toBe(true);
  });

  it('never refuses concurrent right passwords, whatever their number', async () => {
    const throttle = new LoginThrottle({ ...settings, ipMaxFailures: 3 });
    const running = { now: 0, most: 0 };
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        throttle.attempt('dora', '203.0.113.30', slowCheck(USER, 20, running)),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, () => USER));
    // At most the account's budget checked at once; the others waited rather than failed.
    expect(running.most).toBe(settings.accountMaxFailures);
  });

  it('checks no more concurrent guesses than the account has failures left', async () => {
    const throttle = new LoginThrottle(settings);
    const running = { now: 0, most: 0 };
    let checks = 0;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        throttle.attempt('erin', '203.0.113.40', async () => {
          checks += 1;
          return slowCheck(null, 20, running)();
        }),
      ),
    );
    expect(checks).toBe(settings.accountMaxFailures);
    const refused = outcomes.filter(
      (outcome) => outcome.status === 'rejected' && outcome.reason instanceof LoginThrottled,
    );
    expect(refused).toHaveLength(20 - settings.accountMaxFailures);
    expect(await refusal(succeed(throttle, 'erin'))).toMatchObject({ scope: 'account' });
  });

  it('counts a check that throws as nothing, and lets the next attempt in', async () => {
    const throttle = new LoginThrottle({ ...settings, accountMaxFailures: 1 });
    for (let i = 0; i < 3; i += 1) {
      await expect(
        throttle.attempt('frank', '203.0.113.50', async () => {
          throw new Error('database down');
        }),
      ).rejects.toThrow('database down');
    }
    await expect(succeed(throttle, 'frank', '203.0.113.50')).resolves.toBe(USER);
  });
});

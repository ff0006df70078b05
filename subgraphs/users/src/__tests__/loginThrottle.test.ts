import { LoginThrottle, LoginThrottled, memoryStores } from '../auth/loginThrottle';

const settings = {
  accountMaxFailures: 2,
  accountWindowSeconds: 60,
  accountLockoutSeconds: 10,
  ipMaxFailures: 100,
  ipWindowSeconds: 3600,
};

async function refusal(promise: Promise<unknown>): Promise<LoginThrottled> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LoginThrottled) return error;
    throw error;
  }
  throw new Error('expected the attempt to be throttled');
}

async function fail(throttle: LoginThrottle, username: string, ip?: string): Promise<void> {
  await (await throttle.begin(username, ip)).failed();
}

describe('LoginThrottle', () => {
  it('locks an account after its failures, doubling the lockout each time, whatever the case', async () => {
    const stores = memoryStores(settings);
    const throttle = new LoginThrottle(settings, stores);
    await fail(throttle, 'Alice');
    await fail(throttle, 'alice');
    const first = await refusal(throttle.begin('ALICE', '203.0.113.1'));
    expect(first).toMatchObject({ scope: 'account', retryAfterSeconds: 10 });
    expect(first.toGraphQLError().extensions).toEqual({
      code: 'TOO_MANY_REQUESTS',
      retryAfter: 10,
    });

    // The lockout ends (as if 10 s had passed); the next one lasts twice as long.
    await stores.account.delete('alice');
    await fail(throttle, 'alice');
    await fail(throttle, 'alice');
    expect(await refusal(throttle.begin('alice', undefined))).toMatchObject({
      retryAfterSeconds: 20,
    });
  });

  it('clears an account’s failures and lockout history on success', async () => {
    const stores = memoryStores(settings);
    const throttle = new LoginThrottle(settings, stores);
    await fail(throttle, 'bob');
    await fail(throttle, 'bob');
    await stores.account.delete('bob');
    await fail(throttle, 'bob');
    await (await throttle.begin('bob', undefined)).succeeded();
    await fail(throttle, 'bob');
    await fail(throttle, 'bob');
    expect(await refusal(throttle.begin('bob', undefined))).toMatchObject({
      retryAfterSeconds: 10,
    });
  });

  it('limits an address across usernames, and gives back the point of a success', async () => {
    const perIp = { ...settings, ipMaxFailures: 3 };
    const throttle = new LoginThrottle(perIp);
    await (await throttle.begin('carol', '203.0.113.9')).succeeded();
    for (const name of ['u1', 'u2', 'u3']) await fail(throttle, name, '203.0.113.9');
    expect(await refusal(throttle.begin('u4', '203.0.113.9'))).toMatchObject({ scope: 'ip' });
    await fail(throttle, 'u4', '203.0.113.10');
  });

  it('refuses to record one attempt twice', async () => {
    const attempt = await new LoginThrottle(settings).begin('dave', undefined);
    await attempt.failed();
    await expect(attempt.succeeded()).rejects.toThrow(/reported twice/);
  });
});

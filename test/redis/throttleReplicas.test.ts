import type { ChildProcess } from 'node:child_process';
import { startTestSubgraph, type TestSubgraph } from '@fedstack/kit/testing';
import { usersSubgraph, type UsersConfig } from '@fedstack/users';
import { freePort } from '../../scripts/freePort';
import { redisSkipReason, startRedis, stopRedis } from '../helpers/redis';

/**
 * Two users subgraph replicas, each with its own throttle objects and database, on one Redis
 * (`REDIS_URL`): the failed-login limit per account and the registration limit per address hold
 * across both; with Redis stopped, sign-ins and registrations are refused (fail closed), and once
 * Redis is back on the same port they work again without restarting the replicas. Runs its own
 * throwaway `redis-server`; skipped when there is none on PATH.
 */

const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }`;
const REGISTER = `mutation($i: RegisterInput!) { register(input: $i) { user { id } } }`;
const MAX_FAILURES = 3;
const MAX_REGISTRATIONS = 2;

const skip = redisSkipReason();
if (skip) console.log(`throttleReplicas: Redis tests skipped: ${skip}`);

function codes(body: { errors?: Array<{ extensions?: Record<string, unknown> }> }) {
  return (body.errors ?? []).map((error) => error.extensions?.code);
}

(skip ? describe.skip : describe)('users replicas share their throttles through Redis', () => {
  let port: number;
  let redis: ChildProcess | undefined;
  let replicas: Array<TestSubgraph<UsersConfig>> = [];
  let registered = 0;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    const env = {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      LOGIN_ACCOUNT_MAX_FAILURES: String(MAX_FAILURES),
      REGISTER_IP_MAX: String(MAX_REGISTRATIONS),
      REGISTER_IP_WINDOW_SECONDS: '3600',
    };
    replicas = await Promise.all([
      startTestSubgraph(usersSubgraph, { env, seed: {} }),
      startTestSubgraph(usersSubgraph, { env, seed: {} }),
    ]);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await stopRedis(redis);
  });

  const a = () => replicas[0] as TestSubgraph<UsersConfig>;
  const b = () => replicas[1] as TestSubgraph<UsersConfig>;
  const login = (replica: TestSubgraph<UsersConfig>, username: string, password: string) =>
    replica.query<{ login: { accessToken: string } }>(LOGIN, { u: username, p: password });
  const register = (replica: TestSubgraph<UsersConfig>) => {
    registered += 1;
    const name = `newcomer${registered}`;
    return replica.query(REGISTER, {
      i: { username: name, email: `${name}@example.com`, password: 'a-long-password' },
    });
  };

  it('the failed-login limit of an account counts failures on both replicas', async () => {
    for (let i = 0; i < MAX_FAILURES - 1; i += 1) {
      expect(codes((await login(a(), 'alice', 'wrong-password')).body)).toEqual([
        'UNAUTHENTICATED',
      ]);
    }
    // The last failure, on the other replica, locks the account on both.
    expect(codes((await login(b(), 'alice', 'wrong-password')).body)).toEqual(['UNAUTHENTICATED']);
    for (const replica of [a(), b()]) {
      const locked = await login(replica, 'alice', 'alice-password');
      expect(codes(locked.body)).toEqual(['TOO_MANY_REQUESTS']);
      expect(locked.body.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    }
    // Another account is untouched.
    expect((await login(b(), 'bob', 'bob-password')).body.errors).toBeUndefined();
  });

  it('the registration limit of an address counts registrations on both replicas', async () => {
    expect((await register(a())).body.errors).toBeUndefined();
    expect((await register(b())).body.errors).toBeUndefined();
    for (const replica of [a(), b()]) {
      expect(codes((await register(replica)).body)).toEqual(['TOO_MANY_REQUESTS']);
    }
  });

  it('refuses sign-ins and registrations while Redis is down, and works again once it is back', async () => {
    await stopRedis(redis);
    for (const replica of [a(), b()]) {
      const refused = await login(replica, 'bob', 'bob-password');
      expect(codes(refused.body)).toEqual(['DATABASE_UNAVAILABLE']);
      expect(refused.body.errors?.[0]?.message).toBe(
        'Sign-in is unavailable right now; try again shortly',
      );
      expect(refused.body.data?.login ?? null).toBeNull();
    }
    const registration = await register(a());
    expect(codes(registration.body)).toEqual(['DATABASE_UNAVAILABLE']);
    expect(registration.body.errors?.[0]?.message).toBe(
      'Registration is unavailable right now; try again shortly',
    );
    // Nothing else in the users subgraph needs Redis.
    const me = await a().query<{ __typename: string }>('{ __typename }');
    expect(me.body.errors).toBeUndefined();

    redis = await startRedis(port);
    for (const replica of [a(), b()]) {
      const deadline = Date.now() + 15_000;
      let answer = await login(replica, 'bob', 'bob-password');
      while (answer.body.errors && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        answer = await login(replica, 'bob', 'bob-password');
      }
      expect(answer.body.errors).toBeUndefined();
      expect(typeof answer.body.data?.login.accessToken).toBe('string');
    }
    // Throttling is back too: the (new, empty) Redis counts failures across both replicas again.
    for (let i = 0; i < MAX_FAILURES - 1; i += 1) await login(b(), 'bob', 'wrong-password');
    await login(a(), 'bob', 'wrong-password');
    expect(codes((await login(b(), 'bob', 'bob-password')).body)).toEqual(['TOO_MANY_REQUESTS']);
  });
});

describe('REDIS_URL', () => {
  it.each(['http://127.0.0.1:6379', 'not a url'])(
    'refuses %j, naming the variable',
    async (url) => {
      await expect(startTestSubgraph(usersSubgraph, { env: { REDIS_URL: url } })).rejects.toThrow(
        'REDIS_URL must be a redis:// or rediss:// URL',
      );
    },
  );
});

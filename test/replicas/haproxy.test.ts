import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { devSecretFiles, type Env } from '@fedstack/kit';
import {
  baseEnv,
  freePort,
  postGraphQL,
  preparedDataDir,
  ROOT,
  sleep,
  spawnService,
  SUBGRAPH_NAMES,
  waitFor,
  type ServiceProcess,
} from '../helpers/processes';
import { haproxySkipReason, startHaproxy, type RunningHaproxy } from '../helpers/haproxy';
import { redisSkipReason, startRedis, stopRedis } from '../helpers/redis';
import type { GraphQLBody } from '../helpers/stack';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

/**
 * Two gateway replicas (`npm run gateway` processes on two ports, one `REDIS_URL`) behind a real
 * HAProxy, as a load balancer runs them. Each replica has a users subgraph replica of its own, on
 * a database of its own (same seed, same keys), so that nothing but Redis joins them: the
 * failed-login limit holds across both, a token revoked through one is refused by the other long
 * before any feed poll could tell it, a persisted query registered on one is served by the other,
 * a replica stopped mid-load and started again costs no client request, and with Redis down the
 * gateways keep serving (logins refused with a clear error) and recover when it returns. Skipped
 * without `redis-server` or `haproxy` on PATH.
 */

const skip = redisSkipReason() ?? haproxySkipReason();
if (skip) console.log(`haproxy replicas: tests skipped: ${skip}`);

const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken } }`;
const LOGOUT = `mutation($r: String!) { logout(refreshToken: $r) }`;
const ME = `{ me { id username orders { id } } }`;
const MAX_FAILURES = 3;
/** Far longer than any wait below: a replica that refuses a revoked token learned it from Redis. */
const POLL_MS = 30_000;
const DRAIN_MS = 1_000;

type Login = { login: { accessToken: string; refreshToken: string } };

function codes(body: GraphQLBody<unknown>) {
  return (body.errors ?? []).map((error) => error.extensions?.code);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

(skip ? describe.skip : describe)('two gateway replicas behind HAProxy, sharing Redis', () => {
  const dataDirs: string[] = [];
  const services: ServiceProcess[] = [];
  let redisPort: number;
  let redis: ChildProcess | undefined;
  let haproxy: RunningHaproxy | undefined;
  const gateways: Record<'a' | 'b', { port: number; env: Env; process?: ServiceProcess }> = {
    a: { port: 0, env: {} },
    b: { port: 0, env: {} },
  };

  const url = (replica: 'a' | 'b') => `http://127.0.0.1:${gateways[replica].port}/graphql`;
  const balanced = () => `${haproxy?.origin ?? ''}/graphql`;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const login = (target: string, username: string, password: string) =>
    postGraphQL<Login>(target, LOGIN, { u: username, p: password });

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    const first = await preparedDataDir();
    const second = await preparedDataDir();
    dataDirs.push(first.dataDir, second.dataDir);
    const keys = devSecretFiles(first.dataDir);
    const shared = { REDIS_URL: redisUrl, LOGIN_ACCOUNT_MAX_FAILURES: String(MAX_FAILURES) };
    // Every subgraph of supergraph.yaml: users twice (one per gateway), the others once.
    const others = SUBGRAPH_NAMES.filter((name) => name !== 'users');
    const [usersA, usersB, ...rest] = await Promise.all([
      spawnService('users', baseEnv(first.dataDir, shared)),
      // Its own database, but the keys of the first: a token either issues works on both.
      spawnService(
        'users',
        baseEnv(second.dataDir, {
          ...shared,
          JWT_PRIVATE_KEY_FILE: keys.jwtPrivateKey,
          GATEWAY_SIGNING_SECRET_FILE: keys.signingSecret,
        }),
      ),
      ...others.map((name) => spawnService(name, baseEnv(first.dataDir))),
    ]);
    services.push(usersA, usersB, ...rest);
    const otherUrls = Object.fromEntries(
      rest.map((service) => [subgraphVariables(service.name).url, `${service.origin}/graphql`]),
    );
    for (const [replica, users] of [
      ['a', usersA],
      ['b', usersB],
    ] as const) {
      gateways[replica].port = await freePort();
      gateways[replica].env = baseEnv(first.dataDir, {
        SUPERGRAPH_FILE: join(ROOT, 'supergraph.graphql'),
        USERS_URL: `${users.origin}/graphql`,
        ...otherUrls,
        REDIS_URL: redisUrl,
        TOKEN_REVOCATION_POLL_MS: String(POLL_MS),
        SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_MS),
      });
    }
    await Promise.all(
      (['a', 'b'] as const).map(async (replica) => {
        gateways[replica].process = await spawnService('gateway', gateways[replica].env, {
          port: gateways[replica].port,
        });
      }),
    );
    haproxy = await startHaproxy(await freePort(), [
      { name: 'a', port: gateways.a.port },
      { name: 'b', port: gateways.b.port },
    ]);
    // Both replicas in rotation before any test counts on it.
    await waitFor('both replicas behind HAProxy', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i += 1) {
        const response = await fetch(`${haproxy?.origin ?? ''}/health/ready`);
        if (response.ok) seen.add(response.headers.get('x-served-by') ?? '');
      }
      return seen.has('a') && seen.has('b');
    });
  }, 90_000);

  afterAll(async () => {
    await haproxy?.stop();
    await Promise.all(
      [...services, gateways.a.process, gateways.b.process].map((service) => service?.stop()),
    );
    await stopRedis(redis);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a token revoked through one replica is refused by both, long before a feed poll', async () => {
    const { body } = await login(url('a'), 'alice', 'alice-password');
    const { accessToken, refreshToken } = body.data?.login ?? { accessToken: '', refreshToken: '' };
    for (const replica of ['a', 'b'] as const) {
      const me = await postGraphQL(url(replica), ME, {}, bearer(accessToken));
      expect(me.status).toBe(200);
      expect(me.body.errors).toBeUndefined();
    }
    const loggedOut = await postGraphQL(url('a'), LOGOUT, { r: refreshToken });
    expect(loggedOut.body.data).toEqual({ logout: true });
    const revokedAt = Date.now();
    // Replica b's users subgraph has its own database, which never saw this login end: only the
    // Redis stream can tell replica b, and its next feed poll is POLL_MS away.
    for (const replica of ['b', 'a'] as const) {
      await waitFor(
        `replica ${replica} to refuse the revoked token`,
        async () => (await postGraphQL(url(replica), ME, {}, bearer(accessToken))).status === 401,
        3_000,
      );
    }
    expect(Date.now() - revokedAt).toBeLessThan(3_000);
    const refused = await postGraphQL(url('b'), ME, {}, bearer(accessToken));
    expect(refused.status).toBe(401);
    expect(codes(refused.body)).toEqual(['UNAUTHENTICATED']);
  });

  it('the failed-login limit counts failures on both replicas together', async () => {
    const wrong = [url('a'), url('b'), balanced()];
    expect(wrong).toHaveLength(MAX_FAILURES);
    for (const target of wrong) {
      expect(codes((await login(target, 'bob', 'wrong-password')).body)).toEqual([
        'UNAUTHENTICATED',
      ]);
    }
    for (const target of [url('a'), url('b'), balanced()]) {
      const locked = await login(target, 'bob', 'bob-password');
      expect(codes(locked.body)).toEqual(['TOO_MANY_REQUESTS']);
    }
  });

  it('a persisted query registered on one replica is served by the other', async () => {
    const query = `{ __typename }`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };
    const send = (target: string, body: Record<string, unknown>) =>
      fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (response) => (await response.json()) as GraphQLBody<unknown>);
    expect(codes(await send(url('b'), { extensions }))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect((await send(url('a'), { query, extensions })).data).toEqual({ __typename: 'Query' });
    expect((await send(url('b'), { extensions })).data).toEqual({ __typename: 'Query' });
  });

  it('a replica stopped mid-load and started again costs no client request', async () => {
    const { body } = await login(balanced(), 'alice', 'alice-password');
    const token = body.data?.login.accessToken ?? '';
    const served: Array<{ by: string; at: number }> = [];
    const failures: string[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        try {
          const response = await fetch(balanced(), {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...bearer(token) },
            body: JSON.stringify({ query: ME }),
          });
          const answer = (await response.json()) as GraphQLBody<{ me: { username: string } }>;
          if (response.status !== 200 || answer.errors || answer.data?.me.username !== 'alice') {
            failures.push(`HTTP ${response.status}: ${JSON.stringify(answer)}`);
          }
          served.push({ by: response.headers.get('x-served-by') ?? '?', at: Date.now() });
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());
    try {
      await sleep(1_000);
      const stoppedAt = Date.now();
      const exit = await gateways.a.process?.stop('SIGTERM');
      expect(exit).toEqual({ code: 0, signal: null });
      // It kept serving through its drain delay, out of rotation once its readiness said 503.
      expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(DRAIN_MS);
      await sleep(500);
      gateways.a.process = await spawnService('gateway', gateways.a.env, {
        port: gateways.a.port,
      });
      const restartedAt = Date.now();
      await waitFor('replica a back in rotation', () =>
        served.some(({ by, at }) => by === 'a' && at > restartedAt),
      );
      await sleep(1_000);
      const before = served.filter(({ at }) => at < stoppedAt).map(({ by }) => by);
      const after = served.filter(({ at }) => at > restartedAt).map(({ by }) => by);
      expect(new Set(before)).toEqual(new Set(['a', 'b']));
      expect(new Set(after)).toEqual(new Set(['a', 'b']));
    } finally {
      running = false;
      await Promise.all(workers);
    }
    expect(failures).toEqual([]);
    expect(served.length).toBeGreaterThan(100);
  });

  it('with Redis down both replicas keep serving and refuse logins clearly, and recover', async () => {
    const { body } = await login(url('a'), 'alice', 'alice-password');
    const token = body.data?.login.accessToken ?? '';
    await stopRedis(redis);
    for (const replica of ['a', 'b'] as const) {
      const me = await postGraphQL(url(replica), ME, {}, bearer(token));
      expect(me.status).toBe(200);
      expect(me.body.errors).toBeUndefined();
      const refused = await login(url(replica), 'alice', 'alice-password');
      expect(codes(refused.body)).toEqual(['DATABASE_UNAVAILABLE']);
      expect(refused.body.errors?.[0]?.message).toBe(
        'Sign-in is unavailable right now; try again shortly',
      );
    }
    // Persisted queries fall back to a miss: the client sends the whole query and is served.
    const query = `{ me { id } }`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };
    const withQuery = await fetch(url('b'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify({ query, extensions }),
    });
    expect(withQuery.status).toBe(200);
    expect(((await withQuery.json()) as GraphQLBody<unknown>).errors).toBeUndefined();

    redis = await startRedis(redisPort);
    const fresh: Partial<Record<'a' | 'b', Login['login']>> = {};
    for (const replica of ['a', 'b'] as const) {
      await waitFor(
        `logins through replica ${replica} again`,
        async () => {
          const answer = await login(url(replica), 'alice', 'alice-password');
          fresh[replica] = answer.body.data?.login;
          return answer.body.errors === undefined;
        },
        15_000,
      );
    }
    // The revocation stream is followed again too: a logout through replica a (whose users
    // subgraph issued the login) reaches replica b at once.
    const { accessToken, refreshToken } = fresh.a ?? { accessToken: '', refreshToken: '' };
    expect((await postGraphQL(url('b'), ME, {}, bearer(accessToken))).status).toBe(200);
    const loggedOut = await postGraphQL(url('a'), LOGOUT, { r: refreshToken });
    expect(loggedOut.body.data).toEqual({ logout: true });
    await waitFor(
      'replica b to refuse the token revoked after Redis came back',
      async () => (await postGraphQL(url('b'), ME, {}, bearer(accessToken))).status === 401,
      3_000,
    );
  });
});

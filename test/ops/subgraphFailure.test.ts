/**
 * A subgraph down, slow or dropping connections, with every service a real process: the gateway
 * keeps answering with what the healthy subgraphs return plus an error naming the failed one,
 * bounds the wait with SUBGRAPH_TIMEOUT_MS, retries a query (never a mutation) once after a
 * connection failure, starts before its subgraphs, and reports each one in /health/ready.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startFaultyProxy, type FaultyProxy } from '../helpers/faultyProxy';
import {
  baseEnv,
  freePort,
  postGraphQL,
  preparedDataDir,
  ROOT,
  spawnService,
  startProcessStack,
  SUBGRAPH_NAMES,
  waitFor,
  type ProcessStack,
  type ServiceProcess,
} from '../helpers/processes';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

interface Readiness {
  status: string;
  subgraphs: Record<string, { status: string; error?: string }>;
}

async function readiness(origin: string): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${origin}/health/ready`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

describe('the gateway starts before its subgraphs', () => {
  it('answers /health at once, /health/ready 503 until every subgraph is up, then 200', async () => {
    const { dataDir } = await preparedDataDir();
    const env = baseEnv(dataDir);
    const ports = await Promise.all(SUBGRAPH_NAMES.map(() => freePort()));
    const urls = Object.fromEntries(
      SUBGRAPH_NAMES.map((name, i) => [
        subgraphVariables(name).url,
        `http://127.0.0.1:${ports[i]}/graphql`,
      ]),
    );
    const services: ServiceProcess[] = [];
    try {
      const gateway = await spawnService('gateway', {
        ...env,
        ...urls,
        SUPERGRAPH_FILE: join(ROOT, 'supergraph.graphql'),
        READINESS_TIMEOUT_MS: '500',
      });
      services.push(gateway);

      const down = await readiness(gateway.origin);
      expect(down.status).toBe(503);
      for (const name of SUBGRAPH_NAMES) {
        expect(down.body.subgraphs[name]).toEqual(
          expect.objectContaining({ status: 'down', error: 'connection refused' }),
        );
      }
      const early = await postGraphQL(`${gateway.origin}/graphql`, '{ suppliers { name } }');
      expect(early.status).toBe(200);
      expect(early.body.errors?.[0]?.message).toBe(
        'Subgraph "suppliers" failed: connection refused',
      );
      expect(early.body.errors?.[0]?.extensions?.serviceName).toBe('suppliers');

      services.push(
        ...(await Promise.all(
          SUBGRAPH_NAMES.map((name, i) => spawnService(name, env, { port: ports[i] })),
        )),
      );
      const up = await readiness(gateway.origin);
      expect(up.status).toBe(200);
      expect(Object.values(up.body.subgraphs).map((s) => s.status)).toEqual(
        SUBGRAPH_NAMES.map(() => 'up'),
      );
      const later = await postGraphQL<{ suppliers: unknown[] }>(
        `${gateway.origin}/graphql`,
        '{ suppliers { name } }',
      );
      expect(later.body.errors).toBeUndefined();
      expect(later.body.data?.suppliers.length).toBeGreaterThan(0);
    } finally {
      await Promise.all(services.map((service) => service.stop('SIGKILL')));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a subgraph down, slow, or dropping connections', () => {
  let stack: ProcessStack;
  let proxy: FaultyProxy;
  let token: string;

  beforeAll(async () => {
    let ordersPort = 0;
    proxy = await startFaultyProxy(() => ordersPort);
    stack = await startProcessStack({
      gatewayEnv: { SUBGRAPH_TIMEOUT_MS: '1000', READINESS_TIMEOUT_MS: '500' },
      // The gateway reaches orders through the proxy, to break its connections on demand.
      urls: { orders: () => `http://127.0.0.1:${proxy.port}/graphql` },
    });
    ordersPort = stack.services.orders.port;
    token = (await stack.login('alice', 'alice-password')).accessToken;
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.close();
  });

  const ME = '{ me { username orders { item supplier { name } } } }';
  type Me = { me: { username: string; orders: Array<{ item: string; supplier: unknown }> } };

  it('answers with the healthy subgraphs and names the one that is down; ready again once it is back', async () => {
    await stack.services.suppliers.stop('SIGKILL');
    const res = await stack.request<Me>(ME, {}, { token });
    expect(res.status).toBe(200);
    expect(res.body.data?.me.username).toBe('alice');
    expect(res.body.data?.me.orders.length).toBeGreaterThan(0);
    expect(res.body.data?.me.orders.every((order) => order.supplier === null)).toBe(true);
    expect(res.body.errors?.[0]?.message).toBe('Subgraph "suppliers" failed: connection refused');
    expect(res.body.errors?.[0]?.extensions).toEqual(
      expect.objectContaining({ code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'suppliers' }),
    );

    const down = await readiness(stack.services.gateway.origin);
    expect(down.status).toBe(503);
    expect(down.body.subgraphs.suppliers?.status).toBe('down');
    expect(down.body.subgraphs.users?.status).toBe('up');
    expect(down.body.subgraphs.orders?.status).toBe('up');

    await stack.restart('suppliers');
    const up = await readiness(stack.services.gateway.origin);
    expect(up.status).toBe(200);
    const again = await stack.request<Me>(ME, {}, { token });
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data?.me.orders.some((order) => order.supplier !== null)).toBe(true);
  });

  it('keeps me and its orders when User.suppliers fails: suppliers is null with an error naming the subgraph', async () => {
    const query = '{ me { username orders { id } suppliers { id } } }';
    type MeWithSuppliers = {
      me: { username: string; orders: Array<{ id: string }>; suppliers: unknown[] | null };
    };
    // Control: with suppliers up, the same request holds alice's own supplier and no error.
    const healthy = await stack.request<MeWithSuppliers>(query, {}, { token });
    expect(healthy.body.errors).toBeUndefined();
    expect(healthy.body.data?.me.suppliers?.length).toBeGreaterThan(0);

    await stack.services.suppliers.stop('SIGKILL');
    const res = await stack.request<MeWithSuppliers>(query, {}, { token });
    expect(res.status).toBe(200);
    expect(res.body.data?.me).not.toBeNull();
    expect(res.body.data?.me.username).toBe('alice');
    expect(res.body.data?.me.orders.map((order) => order.id)).toEqual(
      healthy.body.data?.me.orders.map((order) => order.id),
    );
    expect(res.body.data?.me.orders.length).toBeGreaterThan(0);
    expect(res.body.data?.me.suppliers).toBeNull();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors?.[0]?.message).toBe('Subgraph "suppliers" failed: connection refused');
    expect(res.body.errors?.[0]?.extensions?.serviceName).toBe('suppliers');

    await stack.restart('suppliers');
    expect((await readiness(stack.services.gateway.origin)).status).toBe(200);
  });

  it('cuts a slow subgraph off at SUBGRAPH_TIMEOUT_MS and still answers with the rest', async () => {
    await stack.restart('suppliers', { TEST_SUBGRAPH_DELAY_MS: '4000' });
    const started = Date.now();
    const res = await stack.request<Me>(ME, {}, { token });
    const elapsed = Date.now() - started;
    expect(res.body.data?.me.username).toBe('alice');
    expect(res.body.errors?.[0]?.message).toBe(
      'Subgraph "suppliers" failed: timed out after 1000 ms',
    );
    // One timed-out fetch (1 s), not the subgraph's 4 s.
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(3000);

    const ready = await readiness(stack.services.gateway.origin);
    expect(ready.status).toBe(503);
    expect(ready.body.subgraphs.suppliers).toEqual(
      expect.objectContaining({ status: 'down', error: 'timed out after 500 ms' }),
    );
    await stack.restart('suppliers');
    expect((await readiness(stack.services.gateway.origin)).status).toBe(200);
  });

  it('retries a query once after a connection failure, and only once', async () => {
    const before = { passed: proxy.passed, resets: proxy.resets };
    proxy.failNext(1);
    const recovered = await stack.request<{ orders: Array<{ id: string }> }>(
      '{ orders { id } }',
      {},
      { token },
    );
    expect(recovered.body.errors).toBeUndefined();
    expect(recovered.body.data?.orders.length).toBeGreaterThan(0);
    expect(proxy.resets - before.resets).toBe(1);
    expect(proxy.passed - before.passed).toBe(1);

    proxy.failNext(2);
    const failed = await stack.request('{ orders { id } }', {}, { token });
    expect(failed.body.errors?.[0]?.message).toMatch(/^Subgraph "orders" failed: connection/);
    expect(proxy.resets - before.resets).toBe(3);
    expect(proxy.passed - before.passed).toBe(1);

    const metrics = await (await fetch(`${stack.services.gateway.origin}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_subgraph_retries_total\{subgraph="orders"\} 2$/m);
    expect(metrics).toMatch(
      /^gateway_subgraph_fetch_errors_total\{subgraph="orders",reason="connection (closed|refused)"\} 3$/m,
    );
    expect(metrics).toMatch(
      /^gateway_subgraph_fetch_errors_total\{subgraph="suppliers",reason="timed out after 1000 ms"\} 1$/m,
    );
  });

  it('never sends a mutation twice', async () => {
    const count = async () =>
      (await stack.request<{ orders: unknown[] }>('{ orders(limit: 100) { id } }', {}, { token }))
        .body.data?.orders.length;
    const ordersBefore = await count();
    const passedBefore = proxy.passed;
    proxy.failNext(1);
    const res = await stack.request(
      'mutation { createOrder(input: { item: "bolts", quantity: 1 }) { id } }',
      {},
      { token },
    );
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.[0]?.message).toMatch(/^Subgraph "orders" failed: connection/);
    expect(proxy.passed).toBe(passedBefore);
    expect(await count()).toBe(ordersBefore);

    const retried = await stack.request<{ createOrder: { id: string } }>(
      'mutation { createOrder(input: { item: "bolts", quantity: 1 }) { id } }',
      {},
      { token },
    );
    expect(retried.body.data?.createOrder.id).toEqual(expect.any(String));
    await waitFor('the new order', async () => (await count()) === (ordersBefore ?? 0) + 1);
  });
});

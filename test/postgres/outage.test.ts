import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { postgresSkipReason, startTestSubgraph, type TestSubgraph } from '@fedstack/kit/testing';
import { ordersSubgraph, type OrdersConfig } from '@fedstack/orders';

/**
 * The database going away and coming back: while it is down, the orders subgraph answers with
 * `DATABASE_UNAVAILABLE` (no host, port or driver text) and `/health/ready` is 503; once it is
 * back, the same process serves again without a restart. The outage is real: a private cluster
 * of its own (scripts/test-postgres.sh), stopped and started again on the same directory and port,
 * so the server the other suites share is never touched.
 */

const SCRIPT = resolve(__dirname, '../../scripts/test-postgres.sh');
const alice = { id: 'user-alice', role: 'USER' as const };
const CREATE = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id item } }`;
const ORDERS = '{ orders { id item } }';

function cluster(command: 'start' | 'stop' | 'pause' | 'resume', dir = ''): string {
  return execFileSync('bash', [SCRIPT, command, ...(dir ? [dir] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

const skip = postgresSkipReason();
if (skip) console.log(`outage: PostgreSQL tests skipped: ${skip}`);

(skip ? describe.skip : describe)('a PostgreSQL outage', () => {
  let dir = '';
  let url = '';
  let sub: TestSubgraph<OrdersConfig>;

  beforeAll(async () => {
    const exports = cluster('start');
    dir = /TEST_POSTGRES_DIR=(\S+)/.exec(exports)?.[1] ?? '';
    url = /TEST_POSTGRES_URL=(\S+)/.exec(exports)?.[1] ?? '';
    sub = await startTestSubgraph(ordersSubgraph, { env: { ORDERS_DATABASE_URL: url } });
  });
  let paused = false;
  const pause = () => {
    cluster('pause', dir);
    paused = true;
  };
  const resume = () => {
    cluster('resume', dir);
    paused = false;
  };
  afterAll(async () => {
    try {
      if (paused) resume();
      await sub?.stop();
    } finally {
      if (dir) cluster('stop', dir);
    }
  });

  const ready = async () => (await fetch(sub.url.replace(/\/graphql$/, '/health/ready'))).status;

  it('answers DATABASE_UNAVAILABLE and 503 while it is down, and recovers when it is back', async () => {
    expect(sub.db.dialect).toBe('postgres');
    const before = await sub.query<{ createOrder: { id: string } }>(
      CREATE,
      { input: { item: 'before', quantity: 1 } },
      alice,
    );
    expect(before.body.errors).toBeUndefined();
    expect(await ready()).toBe(200);

    pause();
    const port = new URL(url).port;
    for (const [query, variables] of [
      [ORDERS, undefined],
      [CREATE, { input: { item: 'during', quantity: 1 } }],
    ] as const) {
      const response = await sub.query(query, variables, alice);
      expect(response.status).toBe(200);
      expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual([
        'DATABASE_UNAVAILABLE',
      ]);
      const message = response.body.errors?.[0]?.message ?? '';
      expect(message).toBe('The orders database is unavailable; try again shortly');
      expect(JSON.stringify(response.body)).not.toMatch(
        new RegExp(`127\\.0\\.0\\.1|${port}|ECONNREFUSED|postgres:`),
      );
    }
    expect(await ready()).toBe(503);

    resume();
    expect(await ready()).toBe(200);
    const after = await sub.query<{ orders: Array<{ item: string }> }>(ORDERS, undefined, alice);
    expect(after.body.errors).toBeUndefined();
    // The order written before the outage is there; the one refused during it is not.
    expect(after.body.data?.orders.map((order) => order.item)).toEqual(['before']);
    const again = await sub.query(CREATE, { input: { item: 'after', quantity: 1 } }, alice);
    expect(again.body.errors).toBeUndefined();
  });
});

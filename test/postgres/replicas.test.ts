import {
  createTestPostgresDatabase,
  postgresSkipReason,
  startTestSubgraph,
  type TestPostgresDatabase,
  type TestSubgraph,
} from '@fedstack/kit/testing';
import { ordersSubgraph, type OrdersConfig } from '@fedstack/orders';

/**
 * Two replicas of the orders subgraph, each with its own Sequelize instance and pool, on one
 * PostgreSQL database: they start together on the empty database (the migrations run once), and
 * concurrent writes through both lose nothing. No per-process write queue is involved on
 * PostgreSQL; transactions and constraints keep it right.
 */

const alice = { id: 'user-alice', role: 'USER' as const };
const admin = { id: 'user-admin', role: 'ADMIN' as const };
const CREATE = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id item } }`;
const CANCEL = `mutation($id: ID!) { cancelOrder(id: $id) { id status } }`;
const PER_REPLICA = 100;

interface Created {
  createOrder: { id: string; item: string };
}

const skip = postgresSkipReason();
if (skip) console.log(`replicas: PostgreSQL tests skipped: ${skip}`);

(skip ? describe.skip : describe)('orders replicas on one PostgreSQL database', () => {
  let pg: TestPostgresDatabase;
  let replicas: Array<TestSubgraph<OrdersConfig>> = [];

  beforeAll(async () => {
    pg = await createTestPostgresDatabase('orders_replicas');
    const env = { ORDERS_DATABASE_URL: pg.url };
    // Both start at once on the empty database, as two processes of a deployment would.
    replicas = await Promise.all([
      startTestSubgraph(ordersSubgraph, { env }),
      startTestSubgraph(ordersSubgraph, { env }),
    ]);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await pg?.drop();
  });

  const first = () => replicas[0] as TestSubgraph<OrdersConfig>;
  const second = () => replicas[1] as TestSubgraph<OrdersConfig>;

  async function rows(sql: string): Promise<unknown[]> {
    const [result] = await first().db.sequelize.query(sql);
    return result as unknown[];
  }

  it('started together, applied every migration once', async () => {
    expect(first().db.sequelize).not.toBe(second().db.sequelize);
    const names = ordersSubgraph.migrations.map((migration) => migration.name).sort();
    const meta = (await rows('SELECT name FROM "SequelizeMeta" ORDER BY name')) as Array<{
      name: string;
    }>;
    expect(meta.map((row) => row.name)).toEqual(names);
  });

  it(`2 x ${PER_REPLICA} concurrent createOrder through both replicas: each order stored exactly once`, async () => {
    const sends = [first(), second()].flatMap((replica, r) =>
      Array.from({ length: PER_REPLICA }, (_, i) =>
        replica.query<Created>(CREATE, { input: { item: `r${r}-${i}`, quantity: 1 } }, alice),
      ),
    );
    const responses = await Promise.all(sends);
    expect(responses.filter((response) => response.body.errors)).toEqual([]);
    const ids = responses.map((response) => response.body.data?.createOrder.id);
    expect(new Set(ids).size).toBe(2 * PER_REPLICA);

    const stored = (await rows('SELECT id, item FROM orders ORDER BY id')) as Array<{
      id: number;
      item: string;
    }>;
    const expected = [0, 1].flatMap((r) =>
      Array.from({ length: PER_REPLICA }, (_, i) => `r${r}-${i}`),
    );
    expect(stored.map((row) => row.item).sort()).toEqual(expected.sort());
    expect(stored.map((row) => String(row.id)).sort()).toEqual(ids.map((id) => String(id)).sort());
  });

  it('concurrent cancelOrder of the same orders from both replicas: all cancelled, both answers agree', async () => {
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        first().query<Created>(CREATE, { input: { item: `cancel-${i}`, quantity: 2 } }, alice),
      ),
    );
    const ids = created.map((response) => response.body.data?.createOrder.id ?? '');
    expect(ids.every(Boolean)).toBe(true);
    const answers = await Promise.all(
      ids.flatMap((id) => [
        first().query<{ cancelOrder: { id: string; status: string } }>(CANCEL, { id }, alice),
        second().query<{ cancelOrder: { id: string; status: string } }>(CANCEL, { id }, admin),
      ]),
    );
    expect(answers.filter((answer) => answer.body.errors)).toEqual([]);
    expect(new Set(answers.map((answer) => answer.body.data?.cancelOrder.status))).toEqual(
      new Set(['CANCELLED']),
    );
    const statuses = (await rows(
      `SELECT status, count(*)::int AS n FROM orders WHERE item LIKE 'cancel-%' GROUP BY status`,
    )) as Array<{ status: string; n: number }>;
    expect(statuses).toEqual([{ status: 'CANCELLED', n: 20 }]);
    // Read through the other replica's pool, the state is the same.
    const [seen] = await second().db.sequelize.query(
      `SELECT count(*)::int AS n FROM orders WHERE item LIKE 'cancel-%' AND status = 'CANCELLED'`,
    );
    expect(seen).toEqual([{ n: 20 }]);
  });
});

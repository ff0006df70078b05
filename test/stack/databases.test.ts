import { existsSync } from 'node:fs';
import { testDatabases, testPostgresUrl } from '@fedstack/kit/testing';
import { Sequelize } from 'sequelize';
import { seededIds } from '@fedstack/kit';
import { startStack, type Stack } from '../helpers/stack';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

const SUBGRAPHS = ['users', 'orders', 'suppliers'] as const;

/** The names among `names` that exist as databases on the `TEST_POSTGRES_URL` server. */
async function existingDatabases(names: string[]): Promise<string[]> {
  const admin = new Sequelize(testPostgresUrl() ?? '', { dialect: 'postgres', logging: false });
  try {
    const [rows] = await admin.query('SELECT datname FROM pg_database WHERE datname IN (:names)', {
      replacements: { names },
    });
    return (rows as Array<{ datname: string }>).map((row) => row.datname).sort();
  } finally {
    await admin.close();
  }
}

describe.each(testDatabases())('the full stack on %s', (database) => {
  let stack: Stack;
  let stopped = false;
  beforeAll(async () => {
    stack = await startStack({ database });
  });
  afterAll(async () => {
    if (!stopped) await stack.stop();
  });

  const databaseNames = () =>
    SUBGRAPHS.map((name) => new URL(stack.env[subgraphVariables(name).databaseUrl] ?? '').pathname)
      .map((path) => path.slice(1))
      .sort();

  it(`runs every subgraph on ${database}, each with a database of its own`, async () => {
    for (const name of SUBGRAPHS) expect(stack.subgraphs[name].db.dialect).toBe(database);
    expect(stack.database).toBe(database);
    if (database === 'postgres') {
      const names = databaseNames();
      expect(new Set(names).size).toBe(3);
      expect(await existingDatabases(names)).toEqual(names);
    } else {
      for (const name of SUBGRAPHS) {
        expect(stack.env[subgraphVariables(name).databaseUrl]).toBeUndefined();
        expect(existsSync(`${stack.dataDir}/${name}.sqlite`)).toBe(true);
      }
    }
  });

  it('logs in, writes an order naming a supplier and reads it back across all three subgraphs', async () => {
    const { accessToken } = await stack.login('alice', 'alice-password');
    const supplierId = seededIds(stack.refs, 'suppliers')[0];
    expect(supplierId).toEqual(expect.any(String));
    const created = await stack.request<{ createOrder: { id: string } }>(
      'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }',
      { input: { item: `on ${database}`, quantity: 2, supplierId } },
      { token: accessToken },
    );
    expect(created.body.errors).toBeUndefined();
    const id = created.body.data!.createOrder.id;

    const me = await stack.request<{
      me: {
        username: string;
        orders: Array<{
          id: string;
          item: string;
          supplier: { id: string; createdBy: { username: string } | null } | null;
        }>;
      };
    }>(
      '{ me { username orders(limit: 100) { id item supplier { id createdBy { username } } } } }',
      {},
      { token: accessToken },
    );
    expect(me.body.errors).toBeUndefined();
    expect(me.body.data?.me.username).toBe('alice');
    const order = me.body.data?.me.orders.find((candidate) => candidate.id === id);
    expect(order).toEqual({
      id,
      item: `on ${database}`,
      supplier: { id: supplierId, createdBy: { username: expect.any(String) } },
    });
  });

  it('leaves nothing behind once stopped', async () => {
    const names = database === 'postgres' ? databaseNames() : [];
    stopped = true;
    await stack.stop();
    expect(existsSync(stack.dataDir)).toBe(false);
    if (database === 'postgres') expect(await existingDatabases(names)).toEqual([]);
  });
});

import { createMigrator } from '@fedstack/kit';
import { startTestSubgraph, testDatabases, type TestSubgraph } from '@fedstack/kit/testing';
import { QueryTypes } from 'sequelize';
import { ordersSubgraph, type OrdersConfig } from '../index';
import { migrations } from '../migrations';

describe.each(testDatabases())('the orders.supplierId index on %s', (database) => {
  let sub: TestSubgraph<OrdersConfig>;
  beforeAll(async () => {
    sub = await startTestSubgraph(ordersSubgraph, { database });
  });
  afterAll(() => sub.stop());

  async function indexNames(): Promise<string[]> {
    const indexes = (await sub.db.sequelize.getQueryInterface().showIndex('orders')) as Array<{
      name: string;
    }>;
    return indexes.map((index) => index.name);
  }

  /** How the database would find a supplier's orders, as its planner describes it. */
  async function plan(): Promise<string> {
    const sql = `SELECT "id" FROM "orders" WHERE "supplierId" = '7'`;
    if (database === 'sqlite') {
      const rows = await sub.db.sequelize.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, {
        type: QueryTypes.SELECT,
      });
      return rows.map((row) => row.detail).join('; ');
    }
    // PostgreSQL prefers a scan on a small table whatever its indexes; forbid it to see the choice.
    return sub.db.sequelize.transaction(async (transaction) => {
      await sub.db.sequelize.query('SET LOCAL enable_seqscan = off', { transaction });
      const rows = await sub.db.sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, {
        type: QueryTypes.SELECT,
        transaction,
      });
      return rows.map((row) => row['QUERY PLAN']).join('; ');
    });
  }

  it("is created by the migrations and used to find a supplier's orders; reverting it scans", async () => {
    expect(await indexNames()).toContain('orders_supplier_id');
    expect(await plan()).toMatch(/orders_supplier_id/);

    const migrator = createMigrator(sub.db, migrations);
    const [reverted] = await migrator.down();
    expect(reverted?.name).toBe('20261130000200_index_orders_supplier');
    expect(await indexNames()).not.toContain('orders_supplier_id');
    expect(await plan()).not.toMatch(/orders_supplier_id/);

    await migrator.up();
    expect(await indexNames()).toContain('orders_supplier_id');
  });
});

import { createLogger, createMigrator, type Logger } from '@fedstack/kit';
import { startTestSubgraph, testDatabases, type TestSubgraph } from '@fedstack/kit/testing';
import { ordersSubgraph, type OrdersConfig } from '../index';
import { migrations } from '../migrations';
import { defineOrderModel } from '../models/Order';
import { seedOrders } from '../seed';
import { alice } from './helpers';

describe.each(testDatabases())('on %s', (database) => {
  const users = { admin: 'user-admin', alice: 'user-alice', bob: 'user-bob' };

  describe('migrations', () => {
    let sub: TestSubgraph<OrdersConfig>;
    beforeAll(async () => {
      sub = await startTestSubgraph(ordersSubgraph, { database });
    });
    afterAll(() => sub.stop());

    async function tables(): Promise<string[]> {
      const names = (await sub.db.sequelize.getQueryInterface().showAllTables()) as unknown[];
      return names.map((name) =>
        typeof name === 'string' ? name : String((name as { tableName: string }).tableName),
      );
    }

    it('go down to nothing and up again cleanly', async () => {
      const migrator = createMigrator(sub.db, migrations);
      expect(await tables()).toContain('orders');

      const reverted = await migrator.down({ to: 0 });
      expect(reverted.map((migration) => migration.name)).toEqual(
        migrations.map((migration) => migration.name).reverse(),
      );
      expect(await tables()).not.toContain('orders');
      expect(await migrator.pending()).toHaveLength(migrations.length);

      const applied = await migrator.up();
      expect(applied).toHaveLength(migrations.length);
      expect(await tables()).toContain('orders');
      const indexes = (await sub.db.sequelize.getQueryInterface().showIndex('orders')) as Array<{
        name: string;
      }>;
      expect(indexes.map((index) => index.name)).toContain('orders_user_id');

      const response = await sub.query(
        `mutation { createOrder(input: { item: "after", quantity: 1 }) { id item } }`,
        {},
        alice,
      );
      expect(response.body).toEqual({ data: { createOrder: { id: '1', item: 'after' } } });
    });
  });

  describe('seedOrders', () => {
    const logger = (): Logger & { warn: jest.Mock } =>
      Object.assign(createLogger({ service: 'orders', level: 'silent', format: 'json' }), {
        warn: jest.fn(),
      });

    it('creates orders for alice and bob once, naming seeded suppliers', async () => {
      const sub = await startTestSubgraph(ordersSubgraph, { database });
      try {
        const refs = { users, suppliers: ['11', '12', '13'] };
        expect(await seedOrders(sub.db, refs, logger())).toEqual(refs);
        const Order = defineOrderModel(sub.db.sequelize);
        const rows = await Order.findAll({ order: [['id', 'ASC']] });
        expect(new Set(rows.map((row) => row.userId))).toEqual(new Set([users.alice, users.bob]));
        expect(rows.some((row) => row.supplierId === '11')).toBe(true);
        expect(
          rows.every((row) => row.supplierId === null || refs.suppliers.includes(row.supplierId)),
        ).toBe(true);

        await seedOrders(sub.db, refs, logger());
        expect(await Order.count()).toBe(rows.length);
      } finally {
        await sub.stop();
      }
    });

    it('skips with a warning when no users were seeded', async () => {
      const sub = await startTestSubgraph(ordersSubgraph, { database });
      try {
        const log = logger();
        expect(await seedOrders(sub.db, {}, log)).toEqual({});
        expect(await defineOrderModel(sub.db.sequelize).count()).toBe(0);
        expect(log.warn).toHaveBeenCalledTimes(1);
      } finally {
        await sub.stop();
      }
    });

    it('seeds orders without suppliers when none were seeded', async () => {
      const sub = await startTestSubgraph(ordersSubgraph, { database, seed: { users } });
      try {
        const rows = await defineOrderModel(sub.db.sequelize).findAll();
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((row) => row.supplierId === null)).toBe(true);
      } finally {
        await sub.stop();
      }
    });
  });
});

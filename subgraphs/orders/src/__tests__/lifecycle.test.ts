import {
  expectMigrationsRoundTrip,
  startTestSubgraph,
  testDatabases,
  warnRecordingLogger,
  type TestSubgraph,
} from '@fedstack/kit/testing';
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

    it('go down to nothing and up again cleanly', async () => {
      await expectMigrationsRoundTrip(sub.db, migrations, {
        tables: ['orders'],
        indexes: ['orders_user_id'],
      });
      const response = await sub.query(
        `mutation { createOrder(input: { item: "after", quantity: 1 }) { id item } }`,
        {},
        alice,
      );
      expect(response.body).toEqual({ data: { createOrder: { id: '1', item: 'after' } } });
    });
  });

  describe('seedOrders', () => {
    const logger = () => warnRecordingLogger('orders');

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

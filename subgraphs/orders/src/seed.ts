import { seededIds, type Database, type Logger, type SeedRefs } from '@fedstack/kit';
import { defineOrderModel } from './models/Order';

/**
 * Development data: a few orders for alice and bob, some naming the seeded suppliers. Does nothing
 * when the table already holds rows, or (with a warning) when the users were not seeded first.
 */
export async function seedOrders(db: Database, refs: SeedRefs, logger: Logger): Promise<SeedRefs> {
  const Order = defineOrderModel(db.sequelize);
  if ((await Order.count()) > 0) return refs;
  if (!refs.users) {
    logger.warn('orders seed skipped: no seeded users to own the orders');
    return refs;
  }
  const { alice, bob } = refs.users;
  const [first, second] = seededIds(refs, 'suppliers');
  if (first === undefined) logger.warn('orders seed: no seeded suppliers, orders name none');
  await db.write((transaction) =>
    Order.bulkCreate(
      [
        { userId: alice, supplierId: first ?? null, item: 'Espresso beans, 1 kg', quantity: 3 },
        { userId: alice, supplierId: null, item: 'Paper filters', quantity: 200 },
        { userId: bob, supplierId: second ?? first ?? null, item: 'Oat milk, 1 l', quantity: 12 },
        { userId: bob, supplierId: null, item: 'Ceramic cups', quantity: 6, status: 'CANCELLED' },
      ],
      { transaction },
    ),
  );
  logger.info({ orders: 4 }, 'orders seeded');
  return refs;
}

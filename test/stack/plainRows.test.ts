import { Model } from 'sequelize';
import { testDatabases } from '@fedstack/kit/testing';
import { createLoaders as orderLoaders } from '../../subgraphs/orders/src/loaders';
import { defineOrderModel } from '../../subgraphs/orders/src/models/Order';
import { createLoaders as supplierLoaders } from '../../subgraphs/suppliers/src/loaders';
import { defineSupplierModel } from '../../subgraphs/suppliers/src/models/Supplier';
import { createLoaders as userLoaders } from '../../subgraphs/users/src/loaders';
import { defineModels } from '../../subgraphs/users/src/models';
import { seededIds } from '@fedstack/kit';
import { startStack, type Stack } from '../helpers/stack';

/**
 * Reads that never change a row load plain rows, not model instances; their dates must still
 * come out as the stored instants, on SQLite (which hands dates back as text) as on PostgreSQL.
 */
describe.each(testDatabases())('rows read without models on %s', (database) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ database });
  });
  afterAll(() => stack.stop());

  it('answer every createdAt as stored, across the three subgraphs', async () => {
    const { accessToken, userId } = await stack.login('alice', 'alice-password');
    const res = await stack.request<{
      me: {
        createdAt: string;
        orders: Array<{
          id: string;
          createdAt: string;
          supplier: {
            id: string;
            createdAt: string;
            createdBy: { id: string; createdAt: string };
          } | null;
        }>;
      };
    }>(
      '{ me { createdAt orders { id createdAt supplier { id createdAt createdBy { id createdAt } } } } }',
      {},
      { token: accessToken },
    );
    expect(res.body.errors).toBeUndefined();
    const me = res.body.data?.me;
    const withSupplier = me?.orders.find((order) => order.supplier !== null);
    expect(withSupplier).toBeDefined();

    // Stored values, read through the models.
    const { User } = defineModels(stack.subgraphs.users.db.sequelize);
    const Order = defineOrderModel(stack.subgraphs.orders.db.sequelize);
    const Supplier = defineSupplierModel(stack.subgraphs.suppliers.db.sequelize);
    const iso = (date: Date | undefined) => date?.toISOString();
    expect(me?.createdAt).toBe(iso((await User.findByPk(Number(userId)))?.createdAt));
    for (const order of me?.orders ?? []) {
      expect(order.createdAt).toBe(iso((await Order.findByPk(Number(order.id)))?.createdAt));
    }
    const supplier = withSupplier?.supplier;
    expect(supplier?.createdAt).toBe(
      iso((await Supplier.findByPk(Number(supplier?.id)))?.createdAt),
    );
    expect(supplier?.createdBy.createdAt).toBe(
      iso((await User.findByPk(Number(supplier?.createdBy.id)))?.createdAt),
    );
  });

  it('are what the loaders hand resolvers: plain objects with Date values', async () => {
    const aliceId = String(stack.refs.users?.alice);
    const Order = defineOrderModel(stack.subgraphs.orders.db.sequelize);
    const [order] = await orderLoaders(Order).ordersByUserId({ limit: 1, offset: 0 }).load(aliceId);
    const supplierId = String(seededIds(stack.refs, 'suppliers')[0]);
    const Supplier = defineSupplierModel(stack.subgraphs.suppliers.db.sequelize);
    const supplier = await supplierLoaders(Supplier).supplierById.load(supplierId);
    const user = await userLoaders(defineModels(stack.subgraphs.users.db.sequelize)).userById.load(
      aliceId,
    );
    for (const row of [order, supplier, user]) {
      expect(row).toBeDefined();
      expect(row).not.toBeInstanceOf(Model);
      expect(row?.createdAt).toBeInstanceOf(Date);
    }
    expect(user).not.toHaveProperty('passwordHash');
    // Control: a model read is an instance.
    expect(await Order.findOne()).toBeInstanceOf(Model);
  });
});

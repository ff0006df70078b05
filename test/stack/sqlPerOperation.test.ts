import { defineOrderModel } from '../../subgraphs/orders/src/models/Order';
import { seededIds } from '@fedstack/kit';
import { startStack, type Stack } from '../helpers/stack';

const ME = '{ me { orders(limit: 50) { item supplier { name createdBy { username } } } } }';
const ADMIN_ORDERS = `query($limit: Int) { orders(limit: $limit) { user { username } supplier { name } } }`;

/**
 * SQL statements per operation are set by the query plan (one batch per subgraph fetch), not by
 * how many rows an answer holds: the contract's operations are counted for few rows and for many.
 */
describe('SQL statements per operation', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    // Alice gets 50 orders more, over every seeded supplier; bob keeps his seeded two.
    const { users } = stack.refs;
    const supplierIds = seededIds(stack.refs, 'suppliers');
    const Order = defineOrderModel(stack.subgraphs.orders.db.sequelize);
    await Order.bulkCreate(
      Array.from({ length: 50 }, (_, i) => ({
        userId: String(users?.alice),
        supplierId: supplierIds[i % supplierIds.length] ?? null,
        item: `extra ${i}`,
        quantity: 1,
      })),
    );
  });
  afterAll(() => stack.stop());

  /** Statements each subgraph ran for one request, after `run` (subgraphs that ran none left out). */
  async function statements(run: () => Promise<unknown>): Promise<Record<string, number>> {
    stack.resetSql();
    await run();
    return Object.fromEntries(
      Object.entries(stack.subgraphs)
        .map(([name, subgraph]) => [name, subgraph.sql.length] as const)
        .filter(([, count]) => count > 0),
    );
  }

  it('me: the same per subgraph for a user with 2 orders and one with 50', async () => {
    const alice = await stack.login('alice', 'alice-password');
    const bob = await stack.login('bob', 'bob-password');
    let aliceOrders = 0;
    let bobOrders = 0;
    const many = await statements(async () => {
      const res = await stack.request<{ me: { orders: unknown[] } }>(
        ME,
        {},
        { token: alice.accessToken },
      );
      aliceOrders = res.body.data?.me.orders.length ?? 0;
    });
    const few = await statements(async () => {
      const res = await stack.request<{ me: { orders: unknown[] } }>(
        ME,
        {},
        { token: bob.accessToken },
      );
      bobOrders = res.body.data?.me.orders.length ?? 0;
    });
    expect([aliceOrders, bobOrders]).toEqual([50, 2]);
    expect(many).toEqual(few);
    // One batch per fetch of the plan: me and the suppliers' creators (users), the orders page
    // (orders), the suppliers (suppliers).
    expect(many).toEqual({ users: 2, orders: 1, suppliers: 1 });
  });

  it("an admin's orders: the same for a page of 5 and a page of 50", async () => {
    const admin = await stack.login('admin', 'admin-password');
    const page = (limit: number) => async () => {
      const res = await stack.request<{ orders: unknown[] }>(
        ADMIN_ORDERS,
        { limit },
        { token: admin.accessToken },
      );
      expect(res.body.data?.orders).toHaveLength(limit);
    };
    const small = await statements(page(5));
    const large = await statements(page(50));
    expect(large).toEqual(small);
    expect(large).toEqual({ users: 1, orders: 1, suppliers: 1 });
  });
});

import { startTestSubgraph, testDatabases, type TestSubgraph } from '@fedstack/kit/testing';
import type { Viewer } from '@fedstack/kit';
import { ordersSubgraph, type OrdersConfig } from '../index';
import { admin, alice, bob, codes, ordersSelects } from './helpers';

describe.each(testDatabases())('on %s', (database) => {
  const ORDER = `query($id: ID!) { order(id: $id) { id item quantity status user { id } } }`;
  const ORDERS = `query($limit: Int, $offset: Int) { orders(limit: $limit, offset: $offset) { id item } }`;

  let sub: TestSubgraph<OrdersConfig>;
  const ids: Record<string, string> = {};

  async function createOrder(viewer: Viewer, item: string): Promise<string> {
    const response = await sub.query<{ createOrder: { id: string } }>(
      `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }`,
      { input: { item, quantity: 1 } },
      viewer,
    );
    const id = response.body.data?.createOrder.id;
    if (!id) throw new Error(`createOrder failed: ${JSON.stringify(response.body)}`);
    return id;
  }

  beforeAll(async () => {
    sub = await startTestSubgraph(ordersSubgraph, { database });
    ids.alice1 = await createOrder(alice, 'alice 1');
    ids.alice2 = await createOrder(alice, 'alice 2');
    ids.alice3 = await createOrder(alice, 'alice 3');
    ids.bob1 = await createOrder(bob, 'bob 1');
  });

  afterAll(() => sub.stop());

  describe('order(id)', () => {
    it('is UNAUTHENTICATED for an anonymous caller', async () => {
      const response = await sub.query(ORDER, { id: ids.alice1 });
      expect(response.body.data).toEqual({ order: null });
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    });

    it('answers the owner', async () => {
      const response = await sub.query(ORDER, { id: ids.alice1 }, alice);
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data).toEqual({
        order: {
          id: ids.alice1,
          item: 'alice 1',
          quantity: 1,
          status: 'PENDING',
          user: { id: alice.id },
        },
      });
    });

    it("answers null, without an error, for another user's order", async () => {
      const response = await sub.query(ORDER, { id: ids.alice1 }, bob);
      expect(response.body).toEqual({ data: { order: null } });
    });

    it("answers an admin with anyone's order", async () => {
      const response = await sub.query(ORDER, { id: ids.bob1 }, admin);
      expect(response.body.data).toEqual({
        order: {
          id: ids.bob1,
          item: 'bob 1',
          quantity: 1,
          status: 'PENDING',
          user: { id: bob.id },
        },
      });
    });

    it('answers null for a missing id', async () => {
      const response = await sub.query(ORDER, { id: '999999' }, admin);
      expect(response.body).toEqual({ data: { order: null } });
    });

    it('answers null for a malformed id without running SQL', async () => {
      sub.sql.length = 0;
      const response = await sub.query(ORDER, { id: 'not-a-number' }, admin);
      expect(response.body).toEqual({ data: { order: null } });
      expect(ordersSelects(sub.sql)).toEqual([]);
    });
  });

  describe('orders', () => {
    it('is UNAUTHENTICATED for an anonymous caller', async () => {
      const response = await sub.query(ORDERS, {});
      expect(response.body.data).toBeNull();
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    });

    it("lists only the caller's own orders", async () => {
      const response = await sub.query(ORDERS, {}, alice);
      expect(response.body.data).toEqual({
        orders: [
          { id: ids.alice1, item: 'alice 1' },
          { id: ids.alice2, item: 'alice 2' },
          { id: ids.alice3, item: 'alice 3' },
        ],
      });
      const bobs = await sub.query(ORDERS, {}, bob);
      expect(bobs.body.data).toEqual({ orders: [{ id: ids.bob1, item: 'bob 1' }] });
    });

    it('lists every order for an admin', async () => {
      const response = await sub.query<{ orders: Array<{ id: string }> }>(ORDERS, {}, admin);
      expect(response.body.data?.orders.map((order) => order.id)).toEqual([
        ids.alice1,
        ids.alice2,
        ids.alice3,
        ids.bob1,
      ]);
    });

    it('pages with limit and offset', async () => {
      const own = await sub.query(ORDERS, { limit: 1, offset: 1 }, alice);
      expect(own.body.data).toEqual({ orders: [{ id: ids.alice2, item: 'alice 2' }] });
      const all = await sub.query(ORDERS, { limit: 2, offset: 2 }, admin);
      expect(all.body.data).toEqual({
        orders: [
          { id: ids.alice3, item: 'alice 3' },
          { id: ids.bob1, item: 'bob 1' },
        ],
      });
      const past = await sub.query(ORDERS, { limit: 100, offset: 3 }, alice);
      expect(past.body.data).toEqual({ orders: [] });
    });

    it.each([
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ offset: -1 }, 'offset'],
    ])('refuses %j with BAD_USER_INPUT naming %s', async (page, field) => {
      const response = await sub.query(ORDERS, page, alice);
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.field).toBe(field);
      expect(response.body.errors?.[0]?.message).toMatch(new RegExp(`^${field}:`));
    });
  });

  describe('Order fields', () => {
    it('resolves user and supplier as references without reading another table', async () => {
      const created = await sub.query<{ createOrder: { id: string } }>(
        `mutation { createOrder(input: { item: "with supplier", quantity: 2, supplierId: "sup-7" }) { id } }`,
        {},
        bob,
      );
      const id = created.body.data?.createOrder.id;
      sub.sql.length = 0;
      const response = await sub.query(
        `query($a: ID!, $b: ID!) {
          a: order(id: $a) { user { id } supplier { id } }
          b: order(id: $b) { user { id } supplier { id } }
        }`,
        { a: id, b: ids.bob1 },
        bob,
      );
      expect(response.body.data).toEqual({
        a: { user: { id: bob.id }, supplier: { id: 'sup-7' } },
        b: { user: { id: bob.id }, supplier: null },
      });
      expect(sub.sql.filter((statement) => /\bSELECT\b/i.test(statement))).toHaveLength(1);
    });
  });
});

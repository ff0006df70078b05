import { startTestSubgraph, testDatabases, type TestSubgraph } from '@fedstack/kit/testing';
import type { Viewer } from '@fedstack/kit';
import { ordersSubgraph, type OrdersConfig } from '../index';
import { admin, alice, bob, carol, codes, ordersSelects } from './helpers';

describe.each(testDatabases())('on %s', (database) => {
  const ORDER_ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id item } } }`;
  const USER_ORDERS = `query($r: [_Any!]!, $limit: Int, $offset: Int) {
    _entities(representations: $r) { ... on User { id orders(limit: $limit, offset: $offset) { id } } }
  }`;

  let sub: TestSubgraph<OrdersConfig>;
  const mine: Record<string, string[]> = {};

  async function createOrders(viewer: Viewer, count: number): Promise<void> {
    mine[viewer.id] = [];
    for (let index = 1; index <= count; index += 1) {
      const response = await sub.query<{ createOrder: { id: string } }>(
        `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }`,
        { input: { item: `${viewer.id} ${index}`, quantity: index } },
        viewer,
      );
      const id = response.body.data?.createOrder.id;
      if (!id) throw new Error(`createOrder failed: ${JSON.stringify(response.body)}`);
      mine[viewer.id]?.push(id);
    }
  }

  function idsOf(viewer: Viewer): string[] {
    const ids = mine[viewer.id];
    if (!ids) throw new Error(`no orders created for ${viewer.id}`);
    return ids;
  }

  const orderRef = (id: string) => ({ __typename: 'Order', id });
  const userRef = (viewer: Viewer) => ({ __typename: 'User', id: viewer.id });

  beforeAll(async () => {
    sub = await startTestSubgraph(ordersSubgraph, { database });
    // Interleaved, so that each user's rows are not contiguous ids.
    await createOrders(alice, 3);
    await createOrders(bob, 2);
    await createOrders(carol, 4);
  });

  afterAll(() => sub.stop());

  describe('Order entities (_entities)', () => {
    it('resolves the owner their own orders and null for anyone else', async () => {
      const [a1] = idsOf(alice);
      const [b1] = idsOf(bob);
      const response = await sub.query(
        ORDER_ENTITIES,
        { r: [orderRef(a1!), orderRef(b1!)] },
        alice,
      );
      expect(response.body).toEqual({
        data: { _entities: [{ id: a1, item: `${alice.id} 1` }, null] },
      });
    });

    it('resolves null for an anonymous caller', async () => {
      const [a1] = idsOf(alice);
      const response = await sub.query(ORDER_ENTITIES, { r: [orderRef(a1!)] });
      expect(response.body).toEqual({ data: { _entities: [null] } });
    });

    it("resolves any user's orders for an admin, and null for missing or malformed ids", async () => {
      const [a1] = idsOf(alice);
      const [b1] = idsOf(bob);
      const response = await sub.query(
        ORDER_ENTITIES,
        { r: [orderRef(b1!), orderRef('424242'), orderRef(a1!), orderRef('x1')] },
        admin,
      );
      expect(response.body).toEqual({
        data: {
          _entities: [
            { id: b1, item: `${bob.id} 1` },
            null,
            { id: a1, item: `${alice.id} 1` },
            null,
          ],
        },
      });
    });

    it('loads three orders with one SELECT', async () => {
      const ids = [idsOf(carol)[0]!, idsOf(alice)[1]!, idsOf(bob)[1]!];
      sub.sql.length = 0;
      const response = await sub.query<{ _entities: Array<{ id: string }> }>(
        ORDER_ENTITIES,
        { r: ids.map(orderRef) },
        admin,
      );
      expect(response.body.data?._entities.map((order) => order.id)).toEqual(ids);
      expect(ordersSelects(sub.sql)).toHaveLength(1);
    });
  });

  describe('User.orders', () => {
    it('answers the user themself', async () => {
      const response = await sub.query(USER_ORDERS, { r: [userRef(alice)] }, alice);
      expect(response.body).toEqual({
        data: { _entities: [{ id: alice.id, orders: idsOf(alice).map((id) => ({ id })) }] },
      });
    });

    it('answers null and FORBIDDEN for another user', async () => {
      const response = await sub.query(USER_ORDERS, { r: [userRef(alice), userRef(bob)] }, alice);
      expect(response.body.data).toEqual({
        _entities: [
          { id: alice.id, orders: idsOf(alice).map((id) => ({ id })) },
          { id: bob.id, orders: null },
        ],
      });
      expect(codes(response)).toEqual(['FORBIDDEN']);
      expect(response.body.errors?.[0]?.path).toEqual(['_entities', 1, 'orders']);
    });

    it('answers null and FORBIDDEN for an anonymous caller', async () => {
      const response = await sub.query(USER_ORDERS, { r: [userRef(alice)] });
      expect(response.body.data).toEqual({ _entities: [{ id: alice.id, orders: null }] });
      expect(codes(response)).toEqual(['FORBIDDEN']);
    });

    it("answers an admin with three users' pages using one SELECT", async () => {
      sub.sql.length = 0;
      const response = await sub.query(
        USER_ORDERS,
        { r: [userRef(carol), userRef(alice), userRef(bob)], limit: 2, offset: 1 },
        admin,
      );
      expect(response.body).toEqual({
        data: {
          _entities: [
            {
              id: carol.id,
              orders: idsOf(carol)
                .slice(1, 3)
                .map((id) => ({ id })),
            },
            {
              id: alice.id,
              orders: idsOf(alice)
                .slice(1, 3)
                .map((id) => ({ id })),
            },
            {
              id: bob.id,
              orders: idsOf(bob)
                .slice(1, 3)
                .map((id) => ({ id })),
            },
          ],
        },
      });
      expect(ordersSelects(sub.sql)).toHaveLength(1);
    });

    it('answers an empty list for a user without orders', async () => {
      const response = await sub.query(
        USER_ORDERS,
        { r: [{ __typename: 'User', id: 'user-nobody' }] },
        admin,
      );
      expect(response.body).toEqual({ data: { _entities: [{ id: 'user-nobody', orders: [] }] } });
    });

    it.each([
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ offset: -1 }, 'offset'],
    ])('refuses %j with BAD_USER_INPUT naming %s', async (page, field) => {
      const response = await sub.query(USER_ORDERS, { r: [userRef(alice)], ...page }, alice);
      expect(response.body.data).toEqual({ _entities: [{ id: alice.id, orders: null }] });
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.field).toBe(field);
    });
  });
});

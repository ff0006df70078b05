import { startTestSubgraph, testDatabases, type TestSubgraph } from '@fedstack/kit/testing';
import { ordersSubgraph, type OrdersConfig } from '../index';
import { defineOrderModel } from '../models/Order';
import { admin, alice, bob, codes } from './helpers';

describe.each(testDatabases())('on %s', (database) => {
  const CREATE = `mutation($input: CreateOrderInput!) {
    createOrder(input: $input) { id item quantity status user { id } supplier { id } createdAt }
  }`;
  const CANCEL = `mutation($id: ID!) { cancelOrder(id: $id) { id status user { id } } }`;

  interface Created {
    createOrder: { id: string; item: string; quantity: number; status: string };
  }

  let sub: TestSubgraph<OrdersConfig>;

  beforeAll(async () => {
    sub = await startTestSubgraph(ordersSubgraph, { database });
  });

  afterAll(() => sub.stop());

  async function statusOf(id: string): Promise<string | undefined> {
    const row = await defineOrderModel(sub.db.sequelize).findByPk(Number(id));
    return row?.status;
  }

  async function create(viewer = alice, item = 'widget'): Promise<string> {
    const response = await sub.query<Created>(CREATE, { input: { item, quantity: 1 } }, viewer);
    const id = response.body.data?.createOrder.id;
    if (!id) throw new Error(`createOrder failed: ${JSON.stringify(response.body)}`);
    return id;
  }

  describe('createOrder', () => {
    it('is UNAUTHENTICATED for an anonymous caller and stores nothing', async () => {
      const Order = defineOrderModel(sub.db.sequelize);
      const before = await Order.count();
      const response = await sub.query(CREATE, { input: { item: 'widget', quantity: 1 } });
      expect(response.body.data).toBeNull();
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(await Order.count()).toBe(before);
    });

    it('makes the caller the owner, trims the item and keeps the supplier id as given', async () => {
      const before = Date.now();
      const response = await sub.query<{
        createOrder: Created['createOrder'] & { user: { id: string }; supplier: { id: string } };
      }>(CREATE, { input: { item: '  espresso  ', quantity: 3, supplierId: ' Sup 9 ' } }, alice);
      expect(response.body.errors).toBeUndefined();
      const order = response.body.data?.createOrder;
      expect(order).toMatchObject({
        item: 'espresso',
        quantity: 3,
        status: 'PENDING',
        user: { id: alice.id },
        supplier: { id: ' Sup 9 ' },
      });
      const row = await defineOrderModel(sub.db.sequelize).findByPk(Number(order?.id));
      expect(row?.userId).toBe(alice.id);
      expect(row?.supplierId).toBe(' Sup 9 ');
      expect(row?.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    });

    it.each([
      ['an empty item', { item: '', quantity: 1 }, 'input.item'],
      ['a blank item', { item: '   ', quantity: 1 }, 'input.item'],
      ['a 201-character item', { item: 'x'.repeat(201), quantity: 1 }, 'input.item'],
      ['quantity 0', { item: 'widget', quantity: 0 }, 'input.quantity'],
      ['a negative quantity', { item: 'widget', quantity: -5 }, 'input.quantity'],
      ['quantity 10001', { item: 'widget', quantity: 10001 }, 'input.quantity'],
      [
        'a 65-character supplierId',
        { item: 'widget', quantity: 1, supplierId: 's'.repeat(65) },
        'input.supplierId',
      ],
      ['an empty supplierId', { item: 'widget', quantity: 1, supplierId: '' }, 'input.supplierId'],
    ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, input, field) => {
      const Order = defineOrderModel(sub.db.sequelize);
      const before = await Order.count();
      const response = await sub.query(CREATE, { input }, alice);
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.field).toBe(field);
      expect(response.body.errors?.[0]?.message).toContain(field);
      expect(await Order.count()).toBe(before);
    });

    it.each([
      ['a 200-character item', { item: 'x'.repeat(200), quantity: 1 }],
      ['quantity 10000', { item: 'a', quantity: 10000 }],
      ['a 64-character supplierId', { item: 'a', quantity: 1, supplierId: 's'.repeat(64) }],
    ])('accepts %s', async (_label, input) => {
      const response = await sub.query<Created>(CREATE, { input }, alice);
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.createOrder.quantity).toBe(input.quantity);
    });
  });

  describe('cancelOrder', () => {
    it('is UNAUTHENTICATED for an anonymous caller', async () => {
      const id = await create(alice);
      const response = await sub.query(CANCEL, { id });
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(await statusOf(id)).toBe('PENDING');
    });

    it("is NOT_FOUND for another user's order, which stays pending", async () => {
      const id = await create(alice);
      const response = await sub.query(CANCEL, { id }, bob);
      expect(response.body.data).toBeNull();
      expect(codes(response)).toEqual(['NOT_FOUND']);
      expect(await statusOf(id)).toBe('PENDING');
    });

    it('lets the owner cancel, and cancelling again changes nothing', async () => {
      const id = await create(alice);
      const response = await sub.query(CANCEL, { id }, alice);
      expect(response.body).toEqual({
        data: { cancelOrder: { id, status: 'CANCELLED', user: { id: alice.id } } },
      });
      expect(await statusOf(id)).toBe('CANCELLED');
      const again = await sub.query(CANCEL, { id }, alice);
      expect(again.body.data).toEqual({
        cancelOrder: { id, status: 'CANCELLED', user: { id: alice.id } },
      });
    });

    it("lets an admin cancel anyone's order", async () => {
      const id = await create(bob);
      const response = await sub.query(CANCEL, { id }, admin);
      expect(response.body.data).toEqual({
        cancelOrder: { id, status: 'CANCELLED', user: { id: bob.id } },
      });
      expect(await statusOf(id)).toBe('CANCELLED');
    });

    it.each(['999999', '2147483648', '9007199254740991', 'abc', '0', '-1'])(
      'is NOT_FOUND for the missing or malformed id %s',
      async (id) => {
        const response = await sub.query(CANCEL, { id }, admin);
        expect(codes(response)).toEqual(['NOT_FOUND']);
      },
    );
  });
});

import { codesOf, startStack, type Stack } from '../helpers/stack';

/**
 * Deleting an account leaves its orders and suppliers in their own subgraphs. A reference to it
 * (an order's `user`, a supplier's `createdBy`) resolves to a placeholder (same id, username
 * `deleted-user`, role `USER`, a null email with no error) so that other people's pages keep
 * working, while `user(id)` answers null.
 */

interface PageUser {
  id: string;
  username: string;
  role: string;
  email: string | null;
  createdAt: string;
}

const USER_FIELDS = 'id username role email createdAt';
const ORDERS = `{ orders(limit: 100) { id item user { ${USER_FIELDS} } } }`;
const SUPPLIER = `query($id: ID!) { supplier(id: $id) { id name createdBy { ${USER_FIELDS} } } }`;
const USER = `query($id: ID!) { user(id: $id) { id username } }`;

let stack: Stack;
let admin: string;
let carol: { accessToken: string; userId: string };
let carolOrderId: string;
let carolSupplierId: string;
let aliceSupplierId: string;

beforeAll(async () => {
  stack = await startStack();
  admin = (await stack.login('admin', 'admin-password')).accessToken;
  const created = await stack.request(
    'mutation { register(input: { username: "carol", email: "carol@example.com", password: "carol-password" }) { user { id } } }',
  );
  expect(created.body.errors).toBeUndefined();
  carol = await stack.login('carol', 'carol-password');
  const order = await stack.request<{ createOrder: { id: string } }>(
    'mutation { createOrder(input: { item: "rivets", quantity: 3 }) { id } }',
    {},
    { token: carol.accessToken },
  );
  carolOrderId = order.body.data?.createOrder.id ?? '';
  const supplier = await stack.request<{ createSupplier: { id: string } }>(
    'mutation { createSupplier(input: { name: "Carol", surname: "Co", address: "9 Side St" }) { id } }',
    {},
    { token: carol.accessToken },
  );
  carolSupplierId = supplier.body.data?.createSupplier.id ?? '';
  const alice = await stack.login('alice', 'alice-password');
  const aliceSupplier = await stack.request<{ createSupplier: { id: string } }>(
    'mutation { createSupplier(input: { name: "Alice", surname: "Co", address: "1 Main St" }) { id } }',
    {},
    { token: alice.accessToken },
  );
  aliceSupplierId = aliceSupplier.body.data?.createSupplier.id ?? '';
  expect([carolOrderId, carolSupplierId, aliceSupplierId]).not.toContain('');
});
afterAll(() => stack.stop());

type Orders = { orders: Array<{ id: string; item: string; user: PageUser }> };
type Supplier = { supplier: { id: string; name: string; createdBy: PageUser | null } };

describe('a deleted user', () => {
  it('shows the real account everywhere before it is deleted (control)', async () => {
    const orders = await stack.request<Orders>(ORDERS, {}, { token: admin });
    expect(orders.body.errors).toBeUndefined();
    expect(orders.body.data?.orders.find((order) => order.id === carolOrderId)?.user).toEqual(
      expect.objectContaining({ id: carol.userId, username: 'carol', email: 'carol@example.com' }),
    );
    const user = await stack.request<{ user: { username: string } | null }>(
      USER,
      { id: carol.userId },
      { token: admin },
    );
    expect(user.body.data?.user?.username).toBe('carol');
  });

  it('resolves to a placeholder on the admin’s orders page and on its suppliers; user(id) is null', async () => {
    const deleted = await stack.request<{ deleteUser: boolean }>(
      'mutation($id: ID!) { deleteUser(id: $id) }',
      { id: carol.userId },
      { token: admin },
    );
    expect(deleted.body.data?.deleteUser).toBe(true);
    const placeholder = {
      id: carol.userId,
      username: 'deleted-user',
      role: 'USER',
      email: null,
      createdAt: expect.any(String),
    };

    const orders = await stack.request<Orders>(ORDERS, {}, { token: admin });
    expect(orders.status).toBe(200);
    expect(orders.body.errors).toBeUndefined();
    expect(orders.body.data).not.toBeNull();
    const page = orders.body.data?.orders ?? [];
    expect(page.find((order) => order.id === carolOrderId)?.user).toEqual(placeholder);
    // Everyone else's orders are still there with their real owners.
    expect(page.filter((order) => order.user.username === 'alice').length).toBeGreaterThan(0);
    expect(page.filter((order) => order.user.username === 'bob').length).toBeGreaterThan(0);

    // The supplier's creator: anonymous and as an admin, null email with no error.
    for (const token of [undefined, admin]) {
      const supplier = await stack.request<Supplier>(SUPPLIER, { id: carolSupplierId }, { token });
      expect(supplier.body.errors).toBeUndefined();
      expect(supplier.body.data?.supplier?.createdBy).toEqual(placeholder);
    }
    // Control: for a real creator, the email stays guarded, so no error above means a placeholder.
    const alice = await stack.request<Supplier>(SUPPLIER, { id: aliceSupplierId });
    expect(alice.body.data?.supplier?.createdBy?.username).toBe('alice');
    expect(alice.body.data?.supplier?.createdBy?.email).toBeNull();
    expect(codesOf(alice.body)).toEqual(['FORBIDDEN']);

    const suppliers = await stack.request<{
      suppliers: Array<{ id: string; createdBy: { username: string } | null }>;
    }>('{ suppliers(limit: 100) { id createdBy { id username } } }');
    expect(suppliers.body.errors).toBeUndefined();
    expect(
      suppliers.body.data?.suppliers.find((supplier) => supplier.id === carolSupplierId)?.createdBy,
    ).toEqual({ id: carol.userId, username: 'deleted-user' });

    const user = await stack.request<{ user: unknown }>(
      USER,
      { id: carol.userId },
      { token: admin },
    );
    expect(user.body.errors).toBeUndefined();
    expect(user.body.data).toEqual({ user: null });
  });
});

it('nobody can take the placeholder name deleted-user, in any case', async () => {
  for (const username of ['deleted-user', 'Deleted-User']) {
    const res = await stack.request(
      'mutation($u: String!) { register(input: { username: $u, email: "d@example.com", password: "a-long-password" }) { user { id } } }',
      { u: username },
    );
    expect(codesOf(res.body)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.message).toMatch(/^input\.username: .*reserved/);
  }
  // Control: a name that only resembles it is taken as usual.
  const ok = await stack.request(
    'mutation { register(input: { username: "deleted-user2", email: "d@example.com", password: "a-long-password" }) { user { username } } }',
  );
  expect(ok.body.data).toEqual({ register: { user: { username: 'deleted-user2' } } });
});

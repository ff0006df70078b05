import { codesOf, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
const tokens: Record<'admin' | 'alice' | 'bob', string> = { admin: '', alice: '', bob: '' };
const ids: Record<'admin' | 'alice' | 'bob', string> = { admin: '', alice: '', bob: '' };

beforeAll(async () => {
  stack = await startStack();
  for (const name of ['admin', 'alice', 'bob'] as const) {
    const session = await stack.login(name, `${name}-password`);
    tokens[name] = session.accessToken;
    ids[name] = session.userId;
  }
});
afterAll(() => stack.stop());

type Who = 'anonymous' | 'admin' | 'alice' | 'bob';
const as = <T = Record<string, unknown>>(
  who: Who,
  query: string,
  variables?: Record<string, unknown>,
) => stack.request<T>(query, variables, who === 'anonymous' ? {} : { token: tokens[who] });

async function createOrder(
  who: Who,
  input: Record<string, unknown> = { item: 'widget', quantity: 2 },
) {
  const res = await as<{ createOrder: { id: string } }>(
    who,
    'mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }',
    { i: input },
  );
  return res;
}

async function createSupplier(who: Who) {
  return as<{ createSupplier: { id: string } }>(
    who,
    'mutation { createSupplier(input: { name: "Acme", surname: "Ltd", address: "1 Main St" }) { id createdBy { username } } }',
  );
}

describe('users subgraph rules', () => {
  it('user(id): the user themself or an admin; others and anonymous get null', async () => {
    const q = 'query($id: ID!) { user(id: $id) { username } }';
    expect((await as<{ user: unknown }>('alice', q, { id: ids.alice })).body.data?.user).toEqual({
      username: 'alice',
    });
    expect((await as<{ user: unknown }>('admin', q, { id: ids.bob })).body.data?.user).toEqual({
      username: 'bob',
    });
    expect((await as<{ user: unknown }>('alice', q, { id: ids.bob })).body.data?.user).toBeNull();
    expect(
      (await as<{ user: unknown }>('anonymous', q, { id: ids.bob })).body.data?.user,
    ).toBeNull();
  });

  it('users: admins only', async () => {
    expect(codesOf((await as('alice', '{ users { id } }')).body)).toEqual(['FORBIDDEN']);
    expect(codesOf((await as('anonymous', '{ users { id } }')).body)).toEqual(['UNAUTHENTICATED']);
    expect(
      (await as<{ users: unknown[] }>('admin', '{ users { id } }')).body.data?.users.length,
    ).toBeGreaterThanOrEqual(3);
  });

  it('email: the user themself and admins; others get null and FORBIDDEN, also through another subgraph', async () => {
    const own = await as<{ me: { email: string } }>('alice', '{ me { email } }');
    expect(own.body.data?.me.email).toBe('alice@example.com');
    // Reached through the orders subgraph's Order.user, i.e. the entity path.
    const viaOrders = await as<{ orders: Array<{ user: { email: string | null } }> }>(
      'admin',
      '{ orders { user { email } } }',
    );
    expect(viaOrders.body.errors).toBeUndefined();
    expect(viaOrders.body.data?.orders[0]?.user.email).toEqual(expect.stringContaining('@'));
    const viaSuppliers = await as<{
      suppliers: Array<{ createdBy: { username: string; email: string | null } | null }>;
    }>('anonymous', '{ suppliers { createdBy { username email } } }');
    const creators = viaSuppliers.body.data?.suppliers.map((supplier) => supplier.createdBy) ?? [];
    expect(creators.length).toBeGreaterThan(0);
    for (const creator of creators) {
      expect(creator?.username).toEqual(expect.any(String));
      expect(creator?.email ?? null).toBeNull();
    }
    expect(codesOf(viaSuppliers.body)).toContain('FORBIDDEN');
  });

  it('createUser and deleteUser: admins only, FORBIDDEN for anyone else whatever the id', async () => {
    const create =
      'mutation { createUser(input: { username: "staff", email: "s@example.com", password: "staff-password", role: ADMIN }) { id role } }';
    expect(codesOf((await as('alice', create)).body)).toEqual(['FORBIDDEN']);
    const created = await as<{ createUser: { id: string; role: string } }>('admin', create);
    expect(created.body.data?.createUser.role).toBe('ADMIN');
    const del = 'mutation($id: ID!) { deleteUser(id: $id) }';
    expect(
      codesOf((await as('alice', del, { id: created.body.data!.createUser.id })).body),
    ).toEqual(['FORBIDDEN']);
    expect(codesOf((await as('alice', del, { id: '987654' })).body)).toEqual(['FORBIDDEN']);
    expect(codesOf((await as('anonymous', del, { id: '987654' })).body)).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(codesOf((await as('admin', del, { id: '987654' })).body)).toEqual(['NOT_FOUND']);
    expect(
      (await as<{ deleteUser: boolean }>('admin', del, { id: created.body.data!.createUser.id }))
        .body.data?.deleteUser,
    ).toBe(true);
  });

  it('updateUser: self without role, admins with role; others FORBIDDEN', async () => {
    const m =
      'mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { email role } }';
    expect(
      (
        await as<{ updateUser: { email: string } }>('bob', m, {
          id: ids.bob,
          i: { email: 'bob@example.com' },
        })
      ).body.data?.updateUser.email,
    ).toBe('bob@example.com');
    expect(codesOf((await as('bob', m, { id: ids.bob, i: { role: 'ADMIN' } })).body)).toEqual([
      'FORBIDDEN',
    ]);
    expect(
      codesOf((await as('bob', m, { id: ids.alice, i: { email: 'x@example.com' } })).body),
    ).toEqual(['FORBIDDEN']);
    expect(
      codesOf((await as('admin', m, { id: '987654', i: { email: 'x@example.com' } })).body),
    ).toEqual(['NOT_FOUND']);
  });
});

describe('orders subgraph rules', () => {
  it('order and orders: UNAUTHENTICATED when anonymous', async () => {
    expect(codesOf((await as('anonymous', '{ orders { id } }')).body)).toEqual(['UNAUTHENTICATED']);
    expect(codesOf((await as('anonymous', '{ order(id: "1") { id } }')).body)).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it("orders: the caller's own; admins see all", async () => {
    const mine = await as<{ orders: Array<{ user: { id: string } }> }>(
      'alice',
      '{ orders(limit: 100) { user { id } } }',
    );
    expect(mine.body.data?.orders.length).toBeGreaterThan(0);
    expect(new Set(mine.body.data?.orders.map((order) => order.user.id))).toEqual(
      new Set([ids.alice]),
    );
    const all = await as<{ orders: Array<{ user: { id: string } }> }>(
      'admin',
      '{ orders(limit: 100) { user { id } } }',
    );
    expect(new Set(all.body.data?.orders.map((order) => order.user.id))).toEqual(
      new Set([ids.alice, ids.bob]),
    );
  });

  it("order(id): null for another user's order, visible to its owner and admins", async () => {
    const id = (await createOrder('bob')).body.data!.createOrder.id;
    const q = 'query($id: ID!) { order(id: $id) { id user { username } } }';
    expect((await as<{ order: unknown }>('alice', q, { id })).body.data?.order).toBeNull();
    expect(
      (await as<{ order: { user: { username: string } } }>('bob', q, { id })).body.data?.order?.user
        .username,
    ).toBe('bob');
    expect((await as<{ order: { id: string } }>('admin', q, { id })).body.data?.order?.id).toBe(id);
    expect(
      (await as<{ order: unknown }>('admin', q, { id: '987654' })).body.data?.order,
    ).toBeNull();
  });

  it('User.orders: the user themself or an admin; others get null and FORBIDDEN', async () => {
    const q = 'query($id: ID!) { user(id: $id) { orders { id } } }';
    const own = await as<{ me: { orders: unknown[] } }>('alice', '{ me { orders { id } } }');
    expect(own.body.data?.me.orders.length).toBeGreaterThan(0);
    const admin = await as<{ user: { orders: unknown[] } }>('admin', q, { id: ids.alice });
    expect(admin.body.data?.user.orders.length).toBeGreaterThan(0);
    // A user reached as another's supplier creator: the orders field is refused.
    const other = await as<{
      suppliers: Array<{ createdBy: { username: string; orders: unknown[] | null } | null }>;
    }>('alice', '{ suppliers(limit: 100) { createdBy { username orders { id } } } }');
    const foreign = other.body.data?.suppliers
      .map((s) => s.createdBy)
      .filter((u) => u && u.username !== 'alice');
    expect(foreign?.length).toBeGreaterThan(0);
    for (const user of foreign ?? []) expect(user?.orders).toBeNull();
    expect(codesOf(other.body)).toContain('FORBIDDEN');
  });

  it('createOrder: authenticated, owned by the caller, an unknown supplier resolves to null', async () => {
    expect(codesOf((await createOrder('anonymous')).body)).toEqual(['UNAUTHENTICATED']);
    const res = await as<{
      createOrder: { user: { id: string }; supplier: unknown; status: string; quantity: number };
    }>(
      'alice',
      'mutation { createOrder(input: { item: "bolt", quantity: 3, supplierId: "424242" }) { user { id } supplier { id name } status quantity } }',
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.createOrder).toEqual({
      user: { id: ids.alice },
      supplier: null,
      status: 'PENDING',
      quantity: 3,
    });
  });

  it('cancelOrder: the owner or an admin; NOT_FOUND for anyone else', async () => {
    const id = (await createOrder('bob')).body.data!.createOrder.id;
    const m = 'mutation($id: ID!) { cancelOrder(id: $id) { id status } }';
    expect(codesOf((await as('alice', m, { id })).body)).toEqual(['NOT_FOUND']);
    expect(codesOf((await as('anonymous', m, { id })).body)).toEqual(['UNAUTHENTICATED']);
    expect(
      (await as<{ cancelOrder: { status: string } }>('bob', m, { id })).body.data?.cancelOrder
        .status,
    ).toBe('CANCELLED');
    const other = (await createOrder('bob')).body.data!.createOrder.id;
    expect(
      (await as<{ cancelOrder: { status: string } }>('admin', m, { id: other })).body.data
        ?.cancelOrder.status,
    ).toBe('CANCELLED');
    expect(codesOf((await as('admin', m, { id: '987654' })).body)).toEqual(['NOT_FOUND']);
  });
});

describe('suppliers subgraph rules', () => {
  it('suppliers, supplier and User.suppliers are public', async () => {
    const list = await as<{ suppliers: Array<{ id: string }> }>(
      'anonymous',
      '{ suppliers { id name } }',
    );
    const id = list.body.data!.suppliers[0]!.id;
    const one = await as<{ supplier: { id: string } }>(
      'anonymous',
      'query($id: ID!) { supplier(id: $id) { id } }',
      { id },
    );
    expect(one.body.data?.supplier.id).toBe(id);
    const viaUser = await as<{ suppliers: Array<{ createdBy: { suppliers: unknown[] } | null }> }>(
      'anonymous',
      '{ suppliers { createdBy { suppliers { id } } } }',
    );
    expect(viaUser.body.errors).toBeUndefined();
    expect(viaUser.body.data?.suppliers.some((s) => (s.createdBy?.suppliers.length ?? 0) > 0)).toBe(
      true,
    );
  });

  it('createSupplier: authenticated; the creator is the caller', async () => {
    expect(codesOf((await createSupplier('anonymous')).body)).toEqual(['UNAUTHENTICATED']);
    const res = await createSupplier('bob');
    expect(res.body.data?.createSupplier).toMatchObject({ createdBy: { username: 'bob' } });
  });

  it('updateSupplier and deleteSupplier: its creator or an admin; FORBIDDEN for others; NOT_FOUND when missing', async () => {
    const id = (await createSupplier('bob')).body.data!.createSupplier.id;
    const update =
      'mutation($id: ID!) { updateSupplier(id: $id, input: { name: "Renamed" }) { name } }';
    const del = 'mutation($id: ID!) { deleteSupplier(id: $id) }';
    expect(codesOf((await as('alice', update, { id })).body)).toEqual(['FORBIDDEN']);
    expect(codesOf((await as('alice', del, { id })).body)).toEqual(['FORBIDDEN']);
    expect(codesOf((await as('anonymous', update, { id })).body)).toEqual(['UNAUTHENTICATED']);
    expect(
      (await as<{ updateSupplier: { name: string } }>('bob', update, { id })).body.data
        ?.updateSupplier.name,
    ).toBe('Renamed');
    expect(
      (await as<{ updateSupplier: { name: string } }>('admin', update, { id })).body.data
        ?.updateSupplier.name,
    ).toBe('Renamed');
    expect(codesOf((await as('bob', update, { id: '987654' })).body)).toEqual(['NOT_FOUND']);
    expect(
      (await as<{ deleteSupplier: boolean }>('bob', del, { id })).body.data?.deleteSupplier,
    ).toBe(true);
    const second = (await createSupplier('bob')).body.data!.createSupplier.id;
    expect(
      (await as<{ deleteSupplier: boolean }>('admin', del, { id: second })).body.data
        ?.deleteSupplier,
    ).toBe(true);
    expect(codesOf((await as('admin', del, { id: second })).body)).toEqual(['NOT_FOUND']);
  });
});

import { codesOf, startStack, type Stack } from '../helpers/stack';

/**
 * Item 6 of the security issue: every string argument has a maximum length and every number a
 * range (BAD_USER_INPUT naming the argument, nothing written), SQL-looking input is stored and
 * returned literally, and malformed IDs answer null or NOT_FOUND, never a 500.
 */

type Caller = 'anonymous' | 'alice' | 'admin';

let stack: Stack;
let tokens: Record<Caller, string | undefined>;
let aliceId: string;
let supplierId: string;
let orderId: string;

beforeAll(async () => {
  stack = await startStack();
  const alice = await stack.login('alice', 'alice-password');
  const admin = await stack.login('admin', 'admin-password');
  tokens = { anonymous: undefined, alice: alice.accessToken, admin: admin.accessToken };
  aliceId = alice.userId;
  const supplier = await stack.request<{ createSupplier: { id: string } }>(
    'mutation { createSupplier(input: { name: "Own", surname: "Supplier", address: "1 Road" }) { id } }',
    {},
    { token: alice.accessToken },
  );
  supplierId = supplier.body.data!.createSupplier.id;
  const order = await stack.request<{ createOrder: { id: string } }>(
    'mutation { createOrder(input: { item: "bolts", quantity: 1 }) { id } }',
    {},
    { token: alice.accessToken },
  );
  orderId = order.body.data!.createOrder.id;
});
afterAll(() => stack.stop());

function send(caller: Caller, query: string, variables: Record<string, unknown> = {}) {
  return stack.request<Record<string, unknown>>(query, variables, { token: tokens[caller] });
}

/** Every statement that changed data since the last `resetSql()`, in any subgraph. */
function writes(): string[] {
  return Object.values(stack.subgraphs)
    .flatMap((subgraph) => subgraph.sql)
    .filter((sql) =>
      /^(Execut\w+ \([^)]*\): )?(INSERT|UPDATE|DELETE|DROP|ALTER|CREATE)\b/.test(sql),
    );
}

const long = (n: number) => 'x'.repeat(n);
const email = (n: number) => `${'e'.repeat(n - '@example.com'.length)}@example.com`;

describe('6. input', () => {
  describe('every string argument has a maximum length', () => {
    it.each<[string, Caller, string, () => Record<string, unknown>, string]>([
      [
        'login username',
        'anonymous',
        'mutation($v: String!) { login(username: $v, password: "p4ssword") { accessToken } }',
        () => ({ v: long(33) }),
        'username',
      ],
      [
        'login password',
        'anonymous',
        'mutation($v: String!) { login(username: "alice", password: $v) { accessToken } }',
        () => ({ v: long(129) }),
        'password',
      ],
      [
        'refreshToken',
        'anonymous',
        'mutation($v: String!) { refreshToken(refreshToken: $v) { accessToken } }',
        () => ({ v: long(257) }),
        'refreshToken',
      ],
      [
        'register username',
        'anonymous',
        'mutation($v: String!) { register(input: { username: $v, email: "r@example.com", password: "password-1" }) { accessToken } }',
        () => ({ v: long(33) }),
        'input.username',
      ],
      [
        'register email',
        'anonymous',
        'mutation($v: String!) { register(input: { username: "reg1", email: $v, password: "password-1" }) { accessToken } }',
        () => ({ v: email(255) }),
        'input.email',
      ],
      [
        'register password',
        'anonymous',
        'mutation($v: String!) { register(input: { username: "reg2", email: "r@example.com", password: $v }) { accessToken } }',
        () => ({ v: long(129) }),
        'input.password',
      ],
      [
        'createUser username',
        'admin',
        'mutation($v: String!) { createUser(input: { username: $v, email: "c@example.com", password: "password-1" }) { id } }',
        () => ({ v: long(33) }),
        'input.username',
      ],
      [
        'updateUser email',
        'alice',
        'mutation($id: ID!, $v: String!) { updateUser(id: $id, input: { email: $v }) { id } }',
        () => ({ id: aliceId, v: email(255) }),
        'input.email',
      ],
      [
        'updateUser password',
        'alice',
        'mutation($id: ID!, $v: String!) { updateUser(id: $id, input: { password: $v }) { id } }',
        () => ({ id: aliceId, v: long(129) }),
        'input.password',
      ],
      [
        'updateUser id',
        'admin',
        'mutation($v: ID!) { updateUser(id: $v, input: { email: "u@example.com" }) { id } }',
        () => ({ v: long(65) }),
        'id',
      ],
      [
        'deleteUser id',
        'admin',
        'mutation($v: ID!) { deleteUser(id: $v) }',
        () => ({ v: long(65) }),
        'id',
      ],
      ['user id', 'admin', 'query($v: ID!) { user(id: $v) { id } }', () => ({ v: long(65) }), 'id'],
      [
        'createSupplier name',
        'alice',
        'mutation($v: String!) { createSupplier(input: { name: $v, surname: "s", address: "a" }) { id } }',
        () => ({ v: long(101) }),
        'input.name',
      ],
      [
        'createSupplier surname',
        'alice',
        'mutation($v: String!) { createSupplier(input: { name: "n", surname: $v, address: "a" }) { id } }',
        () => ({ v: long(101) }),
        'input.surname',
      ],
      [
        'createSupplier address',
        'alice',
        'mutation($v: String!) { createSupplier(input: { name: "n", surname: "s", address: $v }) { id } }',
        () => ({ v: long(301) }),
        'input.address',
      ],
      [
        'updateSupplier name',
        'alice',
        'mutation($id: ID!, $v: String!) { updateSupplier(id: $id, input: { name: $v }) { id } }',
        () => ({ id: supplierId, v: long(101) }),
        'input.name',
      ],
      [
        'updateSupplier id',
        'alice',
        'mutation($v: ID!) { updateSupplier(id: $v, input: { name: "n" }) { id } }',
        () => ({ v: long(65) }),
        'id',
      ],
      [
        'deleteSupplier id',
        'alice',
        'mutation($v: ID!) { deleteSupplier(id: $v) }',
        () => ({ v: long(65) }),
        'id',
      ],
      [
        'supplier id',
        'anonymous',
        'query($v: ID!) { supplier(id: $v) { id } }',
        () => ({ v: long(65) }),
        'id',
      ],
      [
        'createOrder item',
        'alice',
        'mutation($v: String!) { createOrder(input: { item: $v, quantity: 1 }) { id } }',
        () => ({ v: long(201) }),
        'input.item',
      ],
      [
        'createOrder supplierId',
        'alice',
        'mutation($v: ID!) { createOrder(input: { item: "i", quantity: 1, supplierId: $v }) { id } }',
        () => ({ v: long(65) }),
        'input.supplierId',
      ],
      [
        'cancelOrder id',
        'alice',
        'mutation($v: ID!) { cancelOrder(id: $v) { id } }',
        () => ({ v: long(65) }),
        'id',
      ],
      [
        'order id',
        'alice',
        'query($v: ID!) { order(id: $v) { id } }',
        () => ({ v: long(65) }),
        'id',
      ],
    ])('%s', async (_name, caller, query, variables, field) => {
      stack.resetSql();
      const res = await send(caller, query, variables());
      expect(res.status).toBe(200);
      expect(codesOf(res.body)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors?.[0]?.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
      expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
      expect(writes()).toEqual([]);
    });

    it('the longest accepted values are stored whole', async () => {
      stack.resetSql();
      const res = await send(
        'alice',
        'mutation($n: String!, $s: String!, $a: String!) { createSupplier(input: { name: $n, surname: $s, address: $a }) { name surname address } }',
        { n: long(100), s: long(100), a: long(300) },
      );
      expect(res.body.data?.createSupplier).toEqual({
        name: long(100),
        surname: long(100),
        address: long(300),
      });
      // The write detector used above sees this write.
      expect(writes()).toContainEqual(expect.stringContaining('INSERT INTO'));
    });

    it('logout looks up no token longer than 256 characters, and answers true as for any unknown one', async () => {
      stack.resetSql();
      const res = await send('anonymous', 'mutation($v: String!) { logout(refreshToken: $v) }', {
        v: long(100_000),
      });
      expect(res.body).toEqual({ data: { logout: true } });
      expect(stack.subgraphs.users.sql).toEqual([]);
    });
  });

  describe('every number has a range', () => {
    it.each<[Caller, string, string]>([
      ['anonymous', '{ suppliers(limit: 0) { id } }', 'limit'],
      ['anonymous', '{ suppliers(limit: 101) { id } }', 'limit'],
      ['anonymous', '{ suppliers(offset: -1) { id } }', 'offset'],
      [
        'anonymous',
        '{ suppliers(limit: 1) { createdBy { suppliers(limit: 101) { id } } } }',
        'limit',
      ],
      ['admin', '{ users(limit: 101) { id } }', 'limit'],
      ['alice', '{ orders(limit: 0) { id } }', 'limit'],
      ['alice', '{ me { orders(offset: -5) { id } } }', 'offset'],
      [
        'alice',
        'mutation { createOrder(input: { item: "i", quantity: 0 }) { id } }',
        'input.quantity',
      ],
      [
        'alice',
        'mutation { createOrder(input: { item: "i", quantity: 10001 }) { id } }',
        'input.quantity',
      ],
      [
        'alice',
        'mutation { createOrder(input: { item: "i", quantity: -3 }) { id } }',
        'input.quantity',
      ],
    ])('as %s: %s names %s', async (caller, query, field) => {
      stack.resetSql();
      const res = await send(caller, query);
      expect(res.status).toBe(200);
      expect(codesOf(res.body)).toContain('BAD_USER_INPUT');
      expect(codesOf(res.body)).not.toContain('INTERNAL_SERVER_ERROR');
      expect(
        res.body.errors?.find((e) => e.extensions?.code === 'BAD_USER_INPUT')?.message,
      ).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
      expect(writes()).toEqual([]);
    });

    it.each([
      '{ suppliers(limit: 2147483648) { id } }',
      '{ suppliers(limit: 1.5) { id } }',
      'mutation { createOrder(input: { item: "i", quantity: 99999999999 }) { id } }',
      'mutation { createOrder(input: { item: "i", quantity: "1" }) { id } }',
    ])('refuses a value that is not a 32-bit integer before running: %s', async (query) => {
      stack.resetSql();
      const res = await send('alice', query);
      expect(res.status).toBe(400);
      expect(codesOf(res.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(writes()).toEqual([]);
    });
  });

  describe('SQL-looking input is stored literally', () => {
    const DROP_SUPPLIERS = "Robert'); DROP TABLE suppliers;--";
    const DROP_ORDERS = "bolts'); DROP TABLE orders;--";
    const OR_TRUE = "' OR '1'='1";
    const DELETE_ALL = '1 Road"; DELETE FROM suppliers WHERE 1=1; --';

    it('stores and returns a supplier and an order exactly as written, and every table stays intact', async () => {
      const before = await send('anonymous', '{ suppliers(limit: 100) { id } }');
      const supplier = await send(
        'alice',
        'mutation($i: CreateSupplierInput!) { createSupplier(input: $i) { id name surname address } }',
        { i: { name: DROP_SUPPLIERS, surname: OR_TRUE, address: DELETE_ALL } },
      );
      const created = supplier.body.data?.createSupplier as { id: string };
      expect(supplier.body.data?.createSupplier).toEqual({
        id: expect.any(String),
        name: DROP_SUPPLIERS,
        surname: OR_TRUE,
        address: DELETE_ALL,
      });
      const updated = await send(
        'alice',
        'mutation($id: ID!, $n: String!) { updateSupplier(id: $id, input: { name: $n }) { name } }',
        { id: created.id, n: `${DROP_SUPPLIERS} /* again */` },
      );
      expect(updated.body.data?.updateSupplier).toEqual({ name: `${DROP_SUPPLIERS} /* again */` });

      const order = await send(
        'alice',
        'mutation($i: CreateOrderInput!) { createOrder(input: $i) { id item supplier { surname } } }',
        { i: { item: DROP_ORDERS, quantity: 2, supplierId: created.id } },
      );
      expect(order.body.data?.createOrder).toEqual({
        id: expect.any(String),
        item: DROP_ORDERS,
        supplier: { surname: OR_TRUE },
      });

      const after = await send('anonymous', '{ suppliers(limit: 100) { id } }');
      expect((after.body.data?.suppliers as unknown[]).length).toBe(
        (before.body.data?.suppliers as unknown[]).length + 1,
      );
      const orders = await send('admin', '{ orders(limit: 100) { item } }');
      expect(orders.body.errors).toBeUndefined();
      expect(orders.body.data?.orders).toContainEqual({ item: DROP_ORDERS });
      const users = await send('admin', '{ users(limit: 100) { username } }');
      expect(users.body.data?.users).toContainEqual({ username: 'alice' });
    });

    it('stores an SQL-looking email literally and refuses an SQL-looking username', async () => {
      const address = "robert');DROP/**/TABLE/**/users;--@example.com";
      const registered = await send(
        'anonymous',
        'mutation($e: String!) { register(input: { username: "little-bobby", email: $e, password: "tables-password" }) { accessToken } }',
        { e: address },
      );
      const token = (registered.body.data?.register as { accessToken: string }).accessToken;
      const me = await stack.request<{ me: { email: string } }>('{ me { email } }', {}, { token });
      expect(me.body.data?.me.email).toBe(address);

      const refused = await send(
        'anonymous',
        'mutation { register(input: { username: "x\'; DROP TABLE users;--", email: "x@example.com", password: "password-1" }) { accessToken } }',
      );
      expect(codesOf(refused.body)).toEqual(['BAD_USER_INPUT']);
    });

    it('treats an SQL-looking login as an unknown user', async () => {
      for (const username of ["' OR '1'='1' --", "admin'--", 'admin" OR ""="']) {
        const res = await send(
          'anonymous',
          'mutation($u: String!) { login(username: $u, password: "anything-at-all") { accessToken } }',
          { u: username },
        );
        expect(res.body.errors?.[0]).toMatchObject({
          message: 'Invalid username or password',
          extensions: { code: 'UNAUTHENTICATED' },
        });
        expect(res.body.data ?? null).toBeNull();
      }
    });
  });

  describe('malformed IDs answer null or NOT_FOUND, never a 500', () => {
    const MALFORMED = [
      'abc',
      '',
      '-1',
      '0',
      '1.5',
      '0x10',
      '1 OR 1=1',
      "1'; DROP TABLE orders;--",
      '99999999999999999999',
    ];

    it.each<[Caller, string]>([
      ['admin', 'query($v: ID!) { user(id: $v) { id } }'],
      ['alice', 'query($v: ID!) { order(id: $v) { id } }'],
      ['anonymous', 'query($v: ID!) { supplier(id: $v) { id } }'],
    ])('as %s, %s answers null', async (caller, query) => {
      for (const id of MALFORMED) {
        const res = await send(caller, query, { v: id });
        expect(res.status).toBe(200);
        expect(res.body.errors).toBeUndefined();
        expect(Object.values(res.body.data ?? { missing: 'data' })).toEqual([null]);
      }
    });

    it.each<[Caller, string]>([
      ['alice', 'mutation($v: ID!) { cancelOrder(id: $v) { id } }'],
      ['alice', 'mutation($v: ID!) { updateSupplier(id: $v, input: { name: "n" }) { id } }'],
      ['alice', 'mutation($v: ID!) { deleteSupplier(id: $v) }'],
      [
        'admin',
        'mutation($v: ID!) { updateUser(id: $v, input: { email: "m@example.com" }) { id } }',
      ],
      ['admin', 'mutation($v: ID!) { deleteUser(id: $v) }'],
    ])('as %s, %s answers NOT_FOUND', async (caller, query) => {
      for (const id of MALFORMED) {
        stack.resetSql();
        const res = await send(caller, query, { v: id });
        expect(res.status).toBe(200);
        expect(codesOf(res.body)).toEqual(['NOT_FOUND']);
        expect(writes()).toEqual([]);
      }
    });

    it('still finds the real records afterwards', async () => {
      const res = await send(
        'alice',
        'query($o: ID!, $s: ID!) { order(id: $o) { id } supplier(id: $s) { id } }',
        {
          o: orderId,
          s: supplierId,
        },
      );
      expect(res.body.data).toEqual({ order: { id: orderId }, supplier: { id: supplierId } });
    });
  });
});

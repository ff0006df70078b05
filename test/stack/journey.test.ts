import { codesOf, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const CROSS_SUBGRAPH = `{
  me {
    username
    orders { item supplier { name createdBy { username } } }
    suppliers { name }
  }
}`;

describe('the newcomer journey', () => {
  it('logs in with a seeded account and runs one query across all three subgraphs', async () => {
    const { accessToken } = await stack.login('alice', 'alice-password');
    const res = await stack.request<{
      me: {
        username: string;
        orders: Array<{
          item: string;
          supplier: { name: string; createdBy: { username: string } | null } | null;
        }>;
        suppliers: Array<{ name: string }>;
      };
    }>(CROSS_SUBGRAPH, {}, { token: accessToken });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const me = res.body.data!.me;
    expect(me.username).toBe('alice');
    expect(me.orders.length).toBeGreaterThan(0);
    const withSupplier = me.orders.find((order) => order.supplier !== null);
    expect(withSupplier?.supplier?.name).toEqual(expect.any(String));
    expect(withSupplier?.supplier?.createdBy?.username).toEqual(expect.any(String));
    expect(Array.isArray(me.suppliers)).toBe(true);
  });

  it('batches every entity fetch: one SELECT per table per subgraph fetch', async () => {
    const { accessToken } = await stack.login('admin', 'admin-password');
    stack.resetSql();
    const res = await stack.request<{
      orders: Array<{ user: { username: string }; supplier: { name: string } | null }>;
    }>(
      '{ orders(limit: 50) { item user { username } supplier { name createdBy { username } } } }',
      {},
      { token: accessToken },
    );
    expect(res.body.errors).toBeUndefined();
    const orders = res.body.data!.orders;
    expect(new Set(orders.map((order) => order.user.username)).size).toBeGreaterThan(1);
    const selects = (name: 'users' | 'orders' | 'suppliers', table: string) =>
      stack.subgraphs[name].sql.filter((sql) =>
        new RegExp(`SELECT[\\s\\S]*FROM\\s+["\`]?${table}["\`]?`, 'i').test(sql),
      );
    expect(selects('orders', 'orders')).toHaveLength(1);
    expect(selects('suppliers', 'suppliers')).toHaveLength(1);
    // Users are fetched twice in the plan (order owners, then supplier creators): one SELECT each.
    expect(selects('users', 'users').length).toBeLessThanOrEqual(2);
    expect(selects('users', 'users').length).toBeGreaterThanOrEqual(1);
  });

  it('serves Apollo Sandbox to a browser in development', async () => {
    const res = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/sandbox/i);
  });

  it('answers /health and /health/ready', async () => {
    const base = stack.gatewayUrl.replace('/graphql', '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.stringify(await ready.json())).toMatch(
      /users[\s\S]*orders[\s\S]*suppliers|suppliers/,
    );
  });

  it('lets an anonymous caller read public data but not private data', async () => {
    const res = await stack.request<{ suppliers: unknown[] }>('{ suppliers { name } }');
    expect(res.body.data?.suppliers.length).toBeGreaterThan(0);
    const me = await stack.request('{ me { id } }');
    expect(codesOf(me.body)).toEqual(['UNAUTHENTICATED']);
  });
});

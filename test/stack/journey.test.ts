import { codesOf, startStack, type Stack } from '../helpers/stack';
import { SUBGRAPH_NAMES } from '../helpers/processes';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ recordSubgraphRequests: true });
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
    stack.subgraphRequests.length = 0;
    const res = await stack.request<{
      me: {
        username: string;
        orders: Array<{
          item: string;
          supplier: { name: string; createdBy: { username: string } | null } | null;
        }>;
        suppliers: Array<{ name: string }> | null;
      };
    }>(CROSS_SUBGRAPH, {}, { token: accessToken });
    expect(new Set(stack.subgraphRequests.map((request) => request.url))).toEqual(
      new Set([
        stack.subgraphs.users.url,
        stack.subgraphs.orders.url,
        stack.subgraphs.suppliers.url,
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const me = res.body.data!.me;
    expect(me.username).toBe('alice');
    expect(me.orders.length).toBeGreaterThan(0);
    const withSupplier = me.orders.find((order) => order.supplier !== null);
    expect(withSupplier?.supplier?.name).toEqual(expect.any(String));
    expect(withSupplier?.supplier?.createdBy?.username).toEqual(expect.any(String));
    // alice created one of the seeded suppliers.
    expect(me.suppliers?.length).toBeGreaterThan(0);
    expect(me.suppliers?.[0]?.name).toEqual(expect.any(String));
  });

  it('batches every entity fetch: one SELECT per table per subgraph fetch', async () => {
    const { accessToken } = await stack.login('admin', 'admin-password');
    stack.resetSql();
    stack.subgraphRequests.length = 0;
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
    const fetchesTo = (name: 'users' | 'orders' | 'suppliers') =>
      stack.subgraphRequests.filter((request) => request.url === stack.subgraphs[name].url);
    // The plan: orders, then the owners (users) and suppliers side by side, then the suppliers'
    // creators (users again): one fetch each, and each fetch one SELECT, however many entities.
    expect(fetchesTo('orders')).toHaveLength(1);
    expect(fetchesTo('suppliers')).toHaveLength(1);
    expect(fetchesTo('users')).toHaveLength(2);
    expect(selects('orders', 'orders')).toHaveLength(1);
    expect(selects('suppliers', 'suppliers')).toHaveLength(1);
    expect(selects('users', 'users')).toHaveLength(2);
    // Batching is what made that one SELECT: the owners' fetch carried several users.
    const representations = fetchesTo('users').map(
      (request) =>
        (JSON.parse(request.body) as { variables?: { representations?: unknown[] } }).variables
          ?.representations?.length ?? 0,
    );
    expect(Math.max(...representations)).toBeGreaterThan(1);
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
    const body = (await ready.json()) as {
      status: string;
      subgraphs: Record<string, { status: string }>;
    };
    expect(body.status).toBe('ready');
    expect(Object.keys(body.subgraphs).sort()).toEqual([...SUBGRAPH_NAMES].sort());
    expect(Object.values(body.subgraphs).map((subgraph) => subgraph.status)).toEqual(
      SUBGRAPH_NAMES.map(() => 'up'),
    );
  });

  it('lets an anonymous caller read public data but not private data', async () => {
    const res = await stack.request<{ suppliers: unknown[] }>('{ suppliers { name } }');
    expect(res.body.data?.suppliers.length).toBeGreaterThan(0);
    const me = await stack.request('{ me { id } }');
    expect(codesOf(me.body)).toEqual(['UNAUTHENTICATED']);
  });
});

import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

interface Readiness {
  status: string;
  subgraphs: Record<string, { status: string }>;
}

type Me = {
  me: { username: string; orders: Array<{ item: string; supplier: { name: string } | null }> };
};

const ME = '{ me { username orders { item supplier { name } } } }';

async function readiness(): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(stack.gatewayUrl.replace('/graphql', '/health/ready'));
  return { status: response.status, body: (await response.json()) as Readiness };
}

describe('a subgraph down', () => {
  it('keeps serving the other subgraphs and names the failed one', async () => {
    const { accessToken } = await stack.login('alice', 'alice-password');
    // Control: with every subgraph up, the same request has suppliers and no error.
    const healthy = await stack.request<Me>(ME, {}, { token: accessToken });
    expect(healthy.body.errors).toBeUndefined();
    expect(healthy.body.data?.me.orders.some((order) => order.supplier !== null)).toBe(true);
    expect((await readiness()).status).toBe(200);

    await stack.subgraphs.suppliers.server.stop();
    const res = await stack.request<Me>(ME, {}, { token: accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data?.me.username).toBe('alice');
    expect(res.body.data?.me.orders.map((order) => order.item)).toEqual(
      healthy.body.data?.me.orders.map((order) => order.item),
    );
    expect(res.body.data?.me.orders.every((order) => order.supplier === null)).toBe(true);
    expect(res.body.errors?.length).toBeGreaterThan(0);
    for (const error of res.body.errors ?? []) {
      expect(error.message).toBe('Subgraph "suppliers" failed: connection refused');
      expect(error.extensions).toEqual(
        expect.objectContaining({ code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'suppliers' }),
      );
    }

    const ready = await readiness();
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('unavailable');
    expect(ready.body.subgraphs.suppliers?.status).toBe('down');
    expect(ready.body.subgraphs.users?.status).toBe('up');
    expect(ready.body.subgraphs.orders?.status).toBe('up');
  });
});

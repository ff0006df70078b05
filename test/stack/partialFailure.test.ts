import { codesOf, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

describe('a subgraph down', () => {
  it('keeps serving the other subgraphs and names the failed one', async () => {
    const { accessToken } = await stack.login('alice', 'alice-password');
    await stack.subgraphs.suppliers.server.stop();
    const res = await stack.request<{ me: { username: string; orders: Array<{ item: string }> } }>(
      '{ me { username orders { item supplier { name } } } }',
      {},
      { token: accessToken },
    );
    expect(res.status).toBe(200);
    expect(res.body.data?.me.username).toBe('alice');
    expect(res.body.data?.me.orders.length).toBeGreaterThan(0);
    expect(res.body.errors?.length).toBeGreaterThan(0);
    expect(res.body.errors?.map((error) => error.message).join(' ')).toMatch(/suppliers/);

    const ready = await fetch(stack.gatewayUrl.replace('/graphql', '/health/ready'));
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toMatch(/suppliers/);
    expect(codesOf(res.body).length).toBe(res.body.errors?.length);
  });
});

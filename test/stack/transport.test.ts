import { codesOf, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack();
  token = (await stack.login('alice', 'alice-password')).accessToken;
});
afterAll(() => stack.stop());

describe('HTTP transport', () => {
  it('runs a query over GET with the CSRF preflight header', async () => {
    const url = `${stack.gatewayUrl}?query=${encodeURIComponent('{ suppliers { name } }')}`;
    const res = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { data: { suppliers: unknown[] } }).data.suppliers.length,
    ).toBeGreaterThan(0);
  });

  // Attacks on the transport (CSRF, GET mutations, batching, 413): test/security/operationLimits.test.ts.
});

describe('operation limits', () => {
  // Each limit, at and over it: test/security/operationLimits.test.ts.
  it('reports parse errors as GRAPHQL_PARSE_FAILED', async () => {
    expect(codesOf((await stack.request('{ suppliers { ')).body)).toEqual(['GRAPHQL_PARSE_FAILED']);
  });
});

describe('bad input', () => {
  it.each([
    ['limit', '{ suppliers(limit: 0) { id } }'],
    ['limit', '{ suppliers(limit: 101) { id } }'],
    ['offset', '{ suppliers(offset: -1) { id } }'],
  ])('names %s when a list argument is out of range', async (field, query) => {
    const res = await stack.request(query);
    expect(codesOf(res.body)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.message).toContain(field);
  });

  it('names input.quantity when it is out of range and stores nothing', async () => {
    const before = await stack.request<{ orders: unknown[] }>(
      '{ orders(limit: 100) { id } }',
      {},
      { token },
    );
    for (const quantity of [0, 10001]) {
      const res = await stack.request(
        'mutation($q: Int!) { createOrder(input: { item: "x", quantity: $q }) { id } }',
        { q: quantity },
        { token },
      );
      expect(codesOf(res.body)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors?.[0]?.message).toContain('quantity');
    }
    const after = await stack.request<{ orders: unknown[] }>(
      '{ orders(limit: 100) { id } }',
      {},
      { token },
    );
    expect(after.body.data?.orders.length).toBe(before.body.data?.orders.length);
  });

  it('answers null, not an error, for a malformed id in a query', async () => {
    const res = await stack.request<{ supplier: unknown }>(
      '{ supplier(id: "not-a-number") { id } }',
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.supplier).toBeNull();
  });
});

import { codesOf, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack();
  token = (await stack.login('alice', 'alice-password')).accessToken;
});
afterAll(() => stack.stop());

function nested(depth: number): string {
  // me (1) > orders (2) > user (3) > orders (4) > ... > id (depth); a root field is depth 1.
  let selection = 'id';
  for (let level = depth - 1; level >= 2; level -= 1) {
    selection = level % 2 === 0 ? `orders { ${selection} }` : `user { ${selection} }`;
  }
  return `{ me { ${selection} } }`;
}

describe('HTTP transport', () => {
  it('runs a query over GET with the CSRF preflight header', async () => {
    const url = `${stack.gatewayUrl}?query=${encodeURIComponent('{ suppliers { name } }')}`;
    const res = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { data: { suppliers: unknown[] } }).data.suppliers.length,
    ).toBeGreaterThan(0);
  });

  it('refuses a GET without the preflight header (CSRF protection)', async () => {
    const url = `${stack.gatewayUrl}?query=${encodeURIComponent('{ suppliers { name } }')}`;
    const res = await fetch(url);
    expect(res.status).toBe(400);
  });

  it('refuses a mutation over GET', async () => {
    const query = 'mutation { logout(refreshToken: "x") }';
    const res = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent(query)}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(405);
  });

  it('refuses a simple-request POST (text/plain)', async () => {
    const res = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ suppliers { name } }' }),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('refuses HTTP batching (a JSON array of operations)', async () => {
    const res = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { query: '{ suppliers { name } }' },
        { query: '{ suppliers { id } }' },
      ]),
    });
    expect(res.status).toBe(400);
  });

  it('answers 413 for a body over 1 MiB and stays healthy', async () => {
    const res = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ suppliers { name } }',
        variables: { pad: 'x'.repeat(1024 * 1024 + 10) },
      }),
    });
    expect(res.status).toBe(413);
    const after = await stack.request('{ suppliers { name } }');
    expect(after.status).toBe(200);
  });
});

describe('operation limits', () => {
  it('accepts depth 10 and refuses depth 11 with GRAPHQL_VALIDATION_FAILED naming the limit', async () => {
    const ok = await stack.request(nested(10), {}, { token });
    expect(codesOf(ok.body)).not.toContain('GRAPHQL_VALIDATION_FAILED');
    const deep = await stack.request(nested(11), {}, { token });
    expect(codesOf(deep.body)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(deep.body.errors?.[0]?.message).toMatch(/depth/i);
  });

  it('accepts 30 aliases and refuses 31', async () => {
    // Aliased below the root, so that the root-field limit (20) is not what stops them.
    const aliases = (n: number) =>
      `{ suppliers(limit: 1) { ${Array.from({ length: n }, (_, i) => `a${i}: id`).join(' ')} } }`;
    expect(codesOf((await stack.request(aliases(30))).body)).not.toContain(
      'GRAPHQL_VALIDATION_FAILED',
    );
    const many = await stack.request(aliases(31));
    expect(codesOf(many.body)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(many.body.errors?.[0]?.message).toMatch(/alias/i);
  });

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

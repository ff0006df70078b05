import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, print, type DefinitionNode } from 'graphql';
import { codesOf, startStack, type Stack, type StackResponse } from '../helpers/stack';

/**
 * Item 3 of the security issue: abusive operations are refused at the gateway, before planning,
 * with GRAPHQL_VALIDATION_FAILED and a message naming the limit; so are batches, oversized
 * bodies, mutations over GET and cross-site (simple) requests. Nothing reaches a subgraph.
 */

let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack({ recordSubgraphRequests: true });
  token = (await stack.login('alice', 'alice-password')).accessToken;
});
afterAll(() => stack.stop());

/** GraphQL requests the gateway sent a subgraph (not its readiness or revocation polls). */
function operationsSent(on: Stack = stack): string[] {
  return on.subgraphRequests.filter((sent) => sent.url.endsWith('/graphql')).map((s) => s.body);
}

function resetRecords(on: Stack = stack): void {
  on.resetSql();
  on.subgraphRequests.length = 0;
}

function expectNothingRan(): void {
  for (const subgraph of Object.values(stack.subgraphs)) expect(subgraph.sql).toEqual([]);
  expect(operationsSent()).toEqual([]);
}

/** Sends `query` and expects a 400 GRAPHQL_VALIDATION_FAILED matching `message`, with nothing run. */
async function expectOverLimit(
  query: string,
  message: RegExp,
  variables: Record<string, unknown> = {},
  options: { token?: string } = { token },
): Promise<void> {
  resetRecords();
  const res = await stack.request(query, variables, options);
  expect(res.status).toBe(400);
  expect(codesOf(res.body)).toContain('GRAPHQL_VALIDATION_FAILED');
  expect(res.body.errors?.map((error) => error.message)).toContainEqual(
    expect.stringMatching(message),
  );
  expect(res.body.data ?? null).toBeNull();
  expectNothingRan();
}

async function expectWithinLimits(
  query: string,
  variables: Record<string, unknown> = {},
): Promise<StackResponse<unknown>> {
  const res = await stack.request(query, variables, { token });
  expect(codesOf(res.body)).not.toContain('GRAPHQL_VALIDATION_FAILED');
  expect(codesOf(res.body)).not.toContain('GRAPHQL_PARSE_FAILED');
  return res;
}

/**
 * me (1) > orders (2) > user (3) > orders (4) > … > id (depth): a root field is depth 1. The
 * lists hold one order each, so only the depth limit applies.
 */
function nested(depth: number): string {
  let selection = 'id';
  for (let level = depth - 1; level >= 2; level -= 1) {
    selection = level % 2 === 0 ? `orders(limit: 1) { ${selection} }` : `user { ${selection} }`;
  }
  return `{ me { ${selection} } }`;
}

/**
 * The selection of a supplier field at `depth`: every scalar, then its creator and the creator's
 * suppliers, and so on down to depth 10, the deepest allowed.
 */
function supplierChain(depth: number): string {
  const scalars = 'id name surname address createdAt';
  return depth + 1 >= 10 ? scalars : `${scalars} createdBy { ${userChain(depth + 1)} }`;
}

function userChain(depth: number): string {
  return depth + 1 >= 10 ? 'id username' : `id username suppliers { ${supplierChain(depth + 1)} }`;
}

const times = (n: number, make: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => make(i)).join(' ');

const MUTATION =
  'mutation { createSupplier(input: { name: "x", surname: "y", address: "z" }) { id } }';

describe('3. operation limits and transport', () => {
  it('lets every operation in the README through the default limits', async () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);
    const operations = blocks.flatMap((block) =>
      parse(block).definitions.map((definition: DefinitionNode) => print(definition)),
    );
    expect(operations.length).toBeGreaterThan(5);
    for (const operation of operations) await expectWithinLimits(operation);
  });

  it('depth: accepts 10 and refuses 11', async () => {
    await expectWithinLimits(nested(10));
    await expectOverLimit(nested(11), /^Query depth limit of 10 exceeded, found 11\.$/);
  });

  it('aliases: accepts 30 and refuses 31', async () => {
    const aliased = (n: number) => `{ suppliers(limit: 1) { ${times(n, (i) => `a${i}: id`)} } }`;
    await expectWithinLimits(aliased(30));
    await expectOverLimit(aliased(31), /^Aliases limit of 30 exceeded, found 31\.$/);
  });

  it("root fields: the contract's 30 aliases fit at the root; 41 root fields are refused, fragments included", async () => {
    // The default root-field limit (40) sits above what the alias limit lets through at the
    // root, so the contract's "aliases 30" holds for root fields too.
    const roots = (n: number) => times(n, (i) => `r${i}: suppliers(limit: 1) { id }`);
    await expectWithinLimits(`{ ${roots(30)} }`);
    await expectOverLimit(`{ ${roots(41)} }`, /^Root field limit of 40 exceeded, found 41\.$/);
    await expectOverLimit(
      `{ ...A ... on Query { r40: suppliers(limit: 1) { id } } } fragment A on Query { ${roots(40)} }`,
      /^Root field limit of 40 exceeded, found 41\.$/,
    );
  });

  it('tokens: accepts a document under 2000 and refuses one over', async () => {
    // About 1750 tokens, in a shape that no other limit objects to.
    await expectWithinLimits(
      `{ suppliers { ${times(250, () => '... on Supplier { id name }')} } }`,
    );
    await expectOverLimit(
      `{ suppliers { ${'id '.repeat(2100)}} }`,
      /^Token limit of 2000 exceeded\.$/,
    );
  });

  it('directives: accepts 50 and refuses 51', async () => {
    const directives = (n: number) =>
      `{ suppliers { ${times(n, () => '... @include(if: true) { id }')} } }`;
    await expectWithinLimits(directives(50));
    await expectOverLimit(directives(51), /^Directives limit of 50 exceeded, found 51\.$/);
  });

  it('cost: the depth-10 chain of default-sized lists that once passed is refused', async () => {
    // Five nested suppliers lists of 20: 20^5 suppliers, within every other limit.
    await expectOverLimit(
      `{ suppliers { ${supplierChain(1)} } }`,
      /^Query cost \d+ exceeds the limit of 50000\.$/,
    );
    await expectWithinLimits(`{ suppliers { id createdBy { id suppliers { id name } } } }`);
  });

  it('cost: refuses the anonymous fan-out of nested lists before any subgraph is called', async () => {
    const fanOut = (limit: number) =>
      `{ suppliers(limit: ${limit}) { createdBy { suppliers(limit: ${limit}) { createdBy {` +
      ` suppliers(limit: ${limit}) { createdBy { suppliers(limit: ${limit}) { createdBy {` +
      ` suppliers(limit: ${limit}) { id } } } } } } } } } }`;
    // Control: the same shape with small lists runs, and reaches the subgraphs.
    resetRecords();
    const small = await stack.request(fanOut(2));
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();
    expect(operationsSent().length).toBeGreaterThan(0);
    // Level by level: 20, 20·(2 + 20) = 440, 20·(2 + 440) = 8840, … 3 536 840.
    await expectOverLimit(fanOut(20), /^Query cost 3536840 exceeds the limit of 50000\.$/, {}, {});
  });

  it('cost: resolves limit variables; 3 levels of limit 100 are refused, of 20 run', async () => {
    const query =
      'query($n: Int) { suppliers(limit: $n) { createdBy { suppliers(limit: $n) { createdBy { suppliers(limit: $n) { id } } } } } }';
    resetRecords();
    const within = await expectWithinLimits(query, { n: 20 });
    expect(within.status).toBe(200);
    expect(operationsSent().length).toBeGreaterThan(0);
    await expectOverLimit(query, /^Query cost 1020200 exceeds the limit of 50000\.$/, { n: 100 });
    // Left out, the variable takes the field's default (20): within the limit again.
    expect((await expectWithinLimits(query)).status).toBe(200);
  });

  it('cost: a remembered estimate serves requests that differ in other variables, and only them', async () => {
    const query =
      'query($n: Int, $at: Int) { suppliers(limit: $n, offset: $at) { createdBy { suppliers(limit: $n) { createdBy { suppliers(limit: $n) { id } } } } } }';
    await expectOverLimit(query, /^Query cost 1020200 exceeds the limit of 50000\.$/, {
      n: 100,
      at: 0,
    });
    // The same cost for another offset: refused again, without reaching a subgraph.
    await expectOverLimit(query, /^Query cost 1020200 exceeds the limit of 50000\.$/, {
      n: 100,
      at: 7,
    });
    // An offset that does not fit its type is the gateway's variable error, as on a first estimate.
    resetRecords();
    const wrong = await stack.request(query, { n: 100, at: 'seven' }, { token });
    expect(wrong.status).toBe(400);
    expect(codesOf(wrong.body)).toEqual(['BAD_USER_INPUT']);
    expectNothingRan();
    // A smaller limit is estimated afresh and runs.
    expect((await expectWithinLimits(query, { n: 5, at: 7 })).status).toBe(200);
  });

  it('refuses HTTP batching (a JSON array of operations) and runs none of them', async () => {
    resetRecords();
    const res = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify([{ query: MUTATION }, { query: MUTATION }]),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/batch/i);
    expectNothingRan();
  });

  it('answers 413 for a body over 1 MiB, runs nothing, and stays healthy', async () => {
    resetRecords();
    const res = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: MUTATION, variables: { pad: 'x'.repeat(1024 * 1024) } }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      errors: [
        {
          message: 'Request body is larger than the limit of 1048576 bytes',
          extensions: { code: 'PAYLOAD_TOO_LARGE' },
        },
      ],
    });
    expectNothingRan();
    const health = await fetch(stack.gatewayUrl.replace('/graphql', '/health'));
    expect(health.status).toBe(200);
    expect((await stack.request('{ suppliers { id } }')).status).toBe(200);
  });

  it('refuses a mutation over GET', async () => {
    resetRecords();
    const res = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent(MUTATION)}`, {
      headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(405);
    expectNothingRan();
  });

  it.each<[string, Record<string, string>, () => string | FormData]>([
    ['text/plain', { 'content-type': 'text/plain' }, () => JSON.stringify({ query: MUTATION })],
    [
      'a form post (application/x-www-form-urlencoded)',
      { 'content-type': 'application/x-www-form-urlencoded' },
      () => new URLSearchParams({ query: MUTATION }).toString(),
    ],
    [
      'a form post (multipart/form-data)',
      {},
      () => {
        const form = new FormData();
        form.append('query', MUTATION);
        return form;
      },
    ],
    ['a GET without a preflight header', {}, () => ''],
  ])('refuses a cross-site simple request: %s', async (kind, headers, body) => {
    resetRecords();
    const get = kind.startsWith('a GET');
    const res = await fetch(
      get
        ? `${stack.gatewayUrl}?query=${encodeURIComponent('{ suppliers { id } }')}`
        : stack.gatewayUrl,
      get
        ? { headers: { authorization: `Bearer ${token}` } }
        : {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, ...headers },
            body: body(),
          },
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/Cross-Site Request Forgery/);
    expectNothingRan();
  });
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('3. limits on what one subgraph fetch may carry, and giving up on a subgraph', () => {
  let tight: Stack;
  beforeAll(async () => {
    tight = await startStack({
      recordSubgraphRequests: true,
      env: {
        MAX_ENTITY_REPRESENTATIONS: '2',
        SUBGRAPH_RESPONSE_LIMIT_BYTES: '2048',
        SUBGRAPH_TIMEOUT_MS: '600',
      },
    });
  });
  afterAll(() => tight.stop());

  it('an _entities fetch over MAX_ENTITY_REPRESENTATIONS is not sent; the error names the subgraph', async () => {
    // Control: two suppliers' creators, two representations.
    resetRecords(tight);
    const two = await tight.request<{ suppliers: Array<{ createdBy: { username: string } }> }>(
      '{ suppliers(limit: 2) { name createdBy { username } } }',
    );
    expect(two.body.errors).toBeUndefined();
    expect(two.body.data?.suppliers.map((s) => typeof s.createdBy.username)).toEqual([
      'string',
      'string',
    ]);
    expect(operationsSent(tight).some((body) => body.includes('_entities'))).toBe(true);

    // Every seeded supplier (three): three representations in one fetch.
    resetRecords(tight);
    const all = await tight.request<{ suppliers: Array<{ name: string; createdBy: unknown }> }>(
      '{ suppliers(limit: 100) { name createdBy { username } } }',
    );
    expect(all.status).toBe(200);
    expect(all.body.data?.suppliers.length).toBe(3);
    expect(all.body.data?.suppliers.every((s) => s.createdBy === null)).toBe(true);
    expect(all.body.errors).toContainEqual(
      expect.objectContaining({
        message: 'Subgraph "users" failed: 3 entities in one fetch, over the limit of 2',
        extensions: expect.objectContaining({ serviceName: 'users' }),
      }),
    );
    expect(operationsSent(tight).some((body) => body.includes('_entities'))).toBe(false);
    expect(tight.subgraphs.users.sql).toEqual([]);
  });

  it('a subgraph answer over SUBGRAPH_RESPONSE_LIMIT_BYTES is an error naming the subgraph', async () => {
    // Control: one supplier's fields fit in 2 KiB.
    const fields = 'id name surname address createdAt';
    const small = await tight.request(`{ suppliers(limit: 1) { ${fields} } }`);
    expect(small.body.errors).toBeUndefined();
    // Six copies of every field of the three suppliers do not.
    const copies = Array.from({ length: 6 }, (_, i) =>
      fields.replace(/(\w+)/g, (field) => `${field}${i}: ${field}`),
    ).join(' ');
    const big = await tight.request(`{ suppliers(limit: 100) { ${copies} } }`);
    expect(big.status).toBe(200);
    expect(big.body.data ?? null).toBeNull();
    expect(big.body.errors).toEqual([
      expect.objectContaining({
        message: 'Subgraph "suppliers" failed: answer larger than the limit of 2048 bytes',
        extensions: expect.objectContaining({ serviceName: 'suppliers' }),
      }),
    ]);
    // The gateway carries on.
    expect((await tight.request(`{ suppliers(limit: 1) { id } }`)).body.errors).toBeUndefined();
  });

  it('when the gateway gives up on a subgraph, the subgraph starts no further SQL for it', async () => {
    const { sequelize } = tight.subgraphs.suppliers.db;
    let delayMs = 0;
    // Every statement of the suppliers database now takes delayMs longer.
    sequelize.addHook('beforeQuery', 'slowStatements', () => sleep(delayMs));
    try {
      const supplierId = (
        await tight.request<{ suppliers: Array<{ id: string }> }>('{ suppliers(limit: 1) { id } }')
      ).body.data?.suppliers[0]?.id;
      // One fetch to the suppliers subgraph, three statements one after the other: the supplier,
      // its creator's suppliers, and (another page, another loader) theirs.
      const query = `{ supplier(id: "${supplierId}") { createdBy { suppliers(limit: 5) {
        createdBy { suppliers(limit: 6) { id } } } } } }`;

      // Control: 3 × 100 ms fits in the 600 ms the gateway waits.
      delayMs = 100;
      tight.resetSql();
      const fast = await tight.request(query);
      expect(fast.body.errors).toBeUndefined();
      expect(tight.subgraphs.suppliers.sql.length).toBe(3);

      // 3 × 400 ms does not: the gateway gives up at 600 ms, during the second statement.
      delayMs = 400;
      tight.resetSql();
      const slow = await tight.request(query);
      expect(slow.body.errors?.map((error) => error.message)).toEqual([
        'Subgraph "suppliers" failed: timed out after 600 ms',
      ]);
      // Long enough for the third statement to have started and finished, were it started.
      await sleep(1000);
      expect(tight.subgraphs.suppliers.sql.length).toBe(2);
    } finally {
      sequelize.removeHook('beforeQuery', 'slowStatements');
    }
  });
});

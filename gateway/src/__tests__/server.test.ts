import { writeFileSync } from 'node:fs';
import { ENVELOPE_HEADERS } from '@fedstack/envelope/envelope';
import { getIntrospectionQuery } from 'graphql';
import {
  composeStubs,
  ORDERS_SDL,
  postGraphQL,
  SLOW_MS,
  startGatewayFixture,
  SUBGRAPH_TIMEOUT_MS,
  USERS_SDL,
  type GatewayFixture,
} from './support/gatewayFixture';
import {
  flipSignatureByte,
  forgeToken,
  generateTestKeys,
  signAccessToken,
  standardClaims,
} from './support/tokens';

/** `{ me { friend { … { id } } } }` whose deepest field is at `depth` (a root field is 1). */
function queryOfDepth(depth: number): string {
  const friends = depth - 2;
  return `{ me { ${'friend { '.repeat(friends)}id${' }'.repeat(friends)} } }`;
}

/** `count` aliases below one root field, so that the root-field limit (20) does not apply. */
function queryWithAliases(count: number): string {
  return `{ users { ${Array.from({ length: count }, (_, i) => `a${i}: id`).join(' ')} } }`;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('gateway server (development)', () => {
  let f: GatewayFixture;
  const bearer = (claims: Record<string, unknown> = {}) => ({
    authorization: `Bearer ${signAccessToken(f.keys, claims)}`,
  });
  const receivedCount = () => f.users.received.length + f.orders.received.length;
  const receivedSince = (users: number, orders: number) => [
    ...f.users.received.slice(users),
    ...f.orders.received.slice(orders),
  ];

  beforeAll(async () => {
    f = await startGatewayFixture();
  });

  afterAll(async () => {
    await f?.close();
  });

  describe('identity', () => {
    it('signs the verified caller into every subgraph request', async () => {
      const [users, orders] = [f.users.received.length, f.orders.received.length];
      const result = await postGraphQL(
        f.url,
        { query: '{ caller { userId role } users { id orders { id } } }' },
        bearer({ sub: '42', role: 'ADMIN' }),
      );
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data?.caller).toEqual({ userId: '42', role: 'ADMIN' });
      const received = receivedSince(users, orders);
      expect(received.map((r) => r.headers.host)).toEqual([
        new URL(f.users.url).host,
        new URL(f.orders.url).host,
      ]);
      for (const request of received) {
        expect(request.envelope).toEqual({
          ok: true,
          identity: { userId: '42', role: 'ADMIN' },
          clientAddress: '127.0.0.1',
        });
      }
    });

    it('signs anonymous requests too, with no identity', async () => {
      const users = f.users.received.length;
      const result = await postGraphQL(f.url, { query: '{ caller { userId } users { id } }' });
      expect(result.body).toEqual({ data: { caller: null, users: [{ id: '1' }, { id: '2' }] } });
      expect(f.users.received.slice(users).map((r) => r.envelope)).toEqual([
        { ok: true, identity: null, clientAddress: '127.0.0.1' },
      ]);
    });

    it('never forwards client x-user-* headers', async () => {
      const [users, orders] = [f.users.received.length, f.orders.received.length];
      const forged = { 'x-user-id': '1', 'x-user-role': 'ADMIN', 'x-user-email': 'a@example.com' };
      const anonymous = await postGraphQL(
        f.url,
        { query: '{ caller { userId role } users { id orders { id } } }' },
        forged,
      );
      expect(anonymous.body.data?.caller).toBeNull();
      const asUser = await postGraphQL(
        f.url,
        { query: '{ caller { userId role } }' },
        { ...forged, ...bearer({ sub: '5', role: 'USER' }) },
      );
      expect(asUser.body.data?.caller).toEqual({ userId: '5', role: 'USER' });

      const toUsers = f.users.received.slice(users);
      const toOrders = f.orders.received.slice(orders);
      expect([toUsers.length, toOrders.length]).toEqual([2, 1]);
      const [anonymousUsers, userUsers] = toUsers;
      for (const request of [anonymousUsers, toOrders[0]]) {
        expect(request?.headers[ENVELOPE_HEADERS.userId]).toBeUndefined();
        expect(request?.headers[ENVELOPE_HEADERS.role]).toBeUndefined();
        expect(request?.headers['x-user-email']).toBeUndefined();
        expect(request?.envelope).toEqual({ ok: true, identity: null, clientAddress: '127.0.0.1' });
      }
      expect(userUsers?.headers[ENVELOPE_HEADERS.userId]).toBe('5');
      expect(userUsers?.headers[ENVELOPE_HEADERS.role]).toBe('USER');
      expect(userUsers?.headers['x-user-email']).toBeUndefined();
    });

    it("signs the client's address and believes no client header about it", async () => {
      const users = f.users.received.length;
      await postGraphQL(
        f.url,
        { query: '{ users { id } }' },
        { 'x-client-address': '203.0.113.9', 'x-forwarded-for': '203.0.113.9' },
      );
      const request = f.users.received[users];
      expect(request?.envelope).toMatchObject({ ok: true, clientAddress: '127.0.0.1' });
      expect(request?.headers['x-client-address']).toBe('127.0.0.1');
    });

    it('returns the request id and forwards it to subgraphs', async () => {
      const users = f.users.received.length;
      const given = await postGraphQL(
        f.url,
        { query: '{ users { id } }' },
        { 'x-request-id': 'trace-123' },
      );
      expect(given.headers.get('x-request-id')).toBe('trace-123');
      expect(f.users.received[users]?.headers['x-request-id']).toBe('trace-123');

      const created = await postGraphQL(f.url, { query: '{ users { id } }' });
      const id = created.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(f.users.received[users + 1]?.headers['x-request-id']).toBe(id);

      const unsafe = await postGraphQL(
        f.url,
        { query: '{ users { id } }' },
        { 'x-request-id': 'a b' },
      );
      expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    const now = () => Math.floor(Date.now() / 1000);
    it.each<[string, () => string]>([
      ['a garbage token', () => 'Bearer not.a.token'],
      [
        'an expired token',
        () => `Bearer ${signAccessToken(f.keys, { ...standardClaims(now() - 900) })}`,
      ],
      ['a token from another key', () => `Bearer ${signAccessToken(generateTestKeys())}`],
      ['a tampered signature', () => `Bearer ${flipSignatureByte(signAccessToken(f.keys))}`],
      [
        'an unsigned token',
        () => `Bearer ${forgeToken({ alg: 'none', typ: 'at+jwt' }, standardClaims())}`,
      ],
      ['a wrong audience', () => `Bearer ${signAccessToken(f.keys, { aud: 'elsewhere' })}`],
      ['another scheme', () => 'Basic YWRtaW46YWRtaW4tcGFzc3dvcmQ='],
      ['an empty bearer', () => 'Bearer '],
    ])('answers 401 UNAUTHENTICATED to %s and runs nothing', async (_label, header) => {
      const before = receivedCount();
      const result = await postGraphQL(
        f.url,
        { query: 'mutation { touch }' },
        { authorization: header() },
      );
      expect(result.status).toBe(401);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(result.body.data).toBeUndefined();
      expect(result.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
      expect(receivedCount()).toBe(before);
    });

    it('tells the client when its token expired', async () => {
      const expired = signAccessToken(f.keys, { ...standardClaims(now() - 900) });
      const result = await postGraphQL(
        f.url,
        { query: '{ users { id } }' },
        { authorization: `Bearer ${expired}` },
      );
      expect(result.body.errors?.[0]?.message).toBe('Access token expired');
    });
  });

  describe('operation limits', () => {
    it('lets a query of depth 10 through and refuses depth 11', async () => {
      const ten = await postGraphQL(f.url, { query: queryOfDepth(10) }, bearer({ sub: '1' }));
      expect(ten.status).toBe(200);
      expect(ten.body.errors).toBeUndefined();
      let node = ten.body.data?.me as Record<string, unknown> | undefined;
      for (let level = 0; level < 8; level += 1) node = node?.friend as Record<string, unknown>;
      // Eight hops from user 1 along friend (1 → 2 → 1 …) end at user 1.
      expect(node).toEqual({ id: '1' });

      const before = receivedCount();
      const eleven = await postGraphQL(f.url, { query: queryOfDepth(11) }, bearer());
      expect(eleven.status).toBe(400);
      expect(eleven.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(eleven.body.errors?.[0]?.message).toBe('Query depth limit of 10 exceeded, found 11.');
      expect(receivedCount()).toBe(before);
    });

    it('lets 30 aliases through and refuses 31', async () => {
      const thirty = await postGraphQL(f.url, { query: queryWithAliases(30) });
      expect(thirty.body.errors).toBeUndefined();
      const users = (thirty.body.data as { users: Array<Record<string, unknown>> } | undefined)
        ?.users;
      expect(Object.keys(users?.[0] ?? {})).toHaveLength(30);

      const more = await postGraphQL(f.url, { query: queryWithAliases(31) });
      expect(more.status).toBe(400);
      expect(more.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(more.body.errors?.[0]?.message).toBe('Aliases limit of 30 exceeded, found 31.');
    });

    it('refuses too many directives', async () => {
      const query = `{ users { id ${'@include(if: true) '.repeat(51)} } }`;
      const result = await postGraphQL(f.url, { query });
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(result.body.errors?.[0]?.message).toBe('Directives limit of 50 exceeded, found 51.');
    });

    it('refuses an operation over the cost limit, lists counted at the default size', async () => {
      // This supergraph declares no @listSize: each list counts 100 items, so one branch costs
      // 100 users × (1 + 100 orders) = 10100; four fit under 50000, five do not.
      const query = (n: number) =>
        `{ ${Array.from({ length: n }, (_, i) => `u${i}: users { orders { id } }`).join(' ')} }`;
      const before = receivedCount();
      const within = await postGraphQL(f.url, { query: query(4) });
      expect(within.status).toBe(200);
      expect(within.body.errors).toBeUndefined();
      expect(receivedCount()).toBeGreaterThan(before);
      const afterWithin = receivedCount();
      const over = await postGraphQL(f.url, { query: query(5) });
      expect(over.status).toBe(400);
      expect(over.body.errors).toEqual([
        {
          message: 'Query cost 50500 exceeds the limit of 50000.',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ]);
      expect(receivedCount()).toBe(afterWithin);
    });

    it('refuses a document over the token limit while parsing, naming the limit', async () => {
      const query = `{ ${'__typename '.repeat(2100)}}`;
      const result = await postGraphQL(f.url, { query });
      expect(result.status).toBe(400);
      expect(result.body.errors).toEqual([
        {
          message: 'Token limit of 2000 exceeded.',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ]);
      const within = await postGraphQL(f.url, { query: `{ ${'__typename '.repeat(600)}}` });
      expect(within.body).toEqual({ data: { __typename: 'Query' } });
    });

    it('answers 413 to a body over 1 MiB and accepts one just under it', async () => {
      const before = receivedCount();
      const tooBig = await postGraphQL(f.url, {
        query: '{ users { id } }',
        variables: { padding: 'x'.repeat(1024 * 1024) },
      });
      expect(tooBig.status).toBe(413);
      expect(tooBig.body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
      expect(receivedCount()).toBe(before);

      const justUnder = await postGraphQL(f.url, {
        query: '{ users { id } }',
        variables: { padding: 'x'.repeat(1024 * 1024 - 100) },
      });
      expect(justUnder.status).toBe(200);
    });
  });

  describe('HTTP', () => {
    it('refuses batches and malformed JSON with 400', async () => {
      const batch = await postGraphQL(f.url, [
        { query: '{ users { id } }' },
        { query: '{ hello }' },
      ]);
      expect(batch.status).toBe(400);
      const malformed = await postGraphQL(f.url, '{"query": ');
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    });

    it('runs queries over GET with a preflight header, and never mutations', async () => {
      const get = (query: string, headers: Record<string, string> = {}) =>
        fetch(`${f.url}/graphql?query=${encodeURIComponent(query)}`, { headers });
      const query = await get('{ users { id } }', { 'apollo-require-preflight': 'true' });
      expect(query.status).toBe(200);
      expect(await query.json()).toEqual({ data: { users: [{ id: '1' }, { id: '2' }] } });

      const before = f.users.received.length;
      const mutation = await get('mutation { touch }', { 'apollo-require-preflight': 'true' });
      expect(mutation.status).toBe(405);
      const unprotected = await get('{ users { id } }');
      expect(unprotected.status).toBe(400);
      expect(f.users.received.length).toBe(before);
    });

    it('allows introspection within the limits', async () => {
      const result = await postGraphQL(f.url, {
        query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }),
      });
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data?.__schema).toMatchObject({ queryType: { name: 'Query' } });
    });

    it('answers /health with 200', async () => {
      const response = await fetch(`${f.url}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok' });
    });

    it('shows Apollo Sandbox at GET /graphql with a CSP that lets it load', async () => {
      const response = await fetch(`${f.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('embeddable-sandbox.cdn.apollographql.com');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src [^;]*https:\/\/embeddable-sandbox\.cdn\.apollographql\.com/);
      expect(csp).toMatch(/frame-src [^;]*https:\/\/sandbox\.embed\.apollographql\.com/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('answers CORS preflights from any origin in development', async () => {
      const response = await fetch(`${f.url}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:3000',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
    });
  });

  describe('supergraph file', () => {
    it('keeps serving when the file turns invalid, and picks up a new version', async () => {
      const before = await postGraphQL(f.url, { query: '{ hello }' });
      expect(before.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

      writeFileSync(f.supergraphFile, 'this is not a supergraph');
      await new Promise((resolve) => setTimeout(resolve, 400));
      const meanwhile = await postGraphQL(f.url, { query: '{ users { id } }' });
      expect(meanwhile.body.data?.users).toHaveLength(2);

      writeFileSync(
        f.supergraphFile,
        composeStubs([
          { name: 'users', typeDefs: USERS_SDL },
          { name: 'orders', typeDefs: ORDERS_SDL },
        ]),
      );
      await eventually(async () => {
        const result = await postGraphQL(f.url, { query: '{ hello }' });
        return result.body.data?.hello === 'world';
      });
    });

    it('prices lists by the @listSize of the version it serves, reloads included', async () => {
      const query = `{ ${Array.from({ length: 5 }, (_, i) => `u${i}: users { orders { id } }`).join(' ')} }`;
      const unsized = await postGraphQL(f.url, { query });
      expect(unsized.body.errors?.[0]?.message).toBe(
        'Query cost 50500 exceeds the limit of 50000.',
      );

      const costLink =
        'import: ["@key"]) @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])';
      writeFileSync(
        f.supergraphFile,
        composeStubs([
          {
            name: 'users',
            typeDefs: USERS_SDL.replace('import: ["@key"])', costLink).replace(
              'users: [User!]!',
              'users: [User!]! @listSize(assumedSize: 2)',
            ),
          },
          {
            name: 'orders',
            typeDefs: ORDERS_SDL.replace('import: ["@key"])', costLink).replace(
              '  orders: [Order!]\n}',
              '  orders: [Order!] @listSize(assumedSize: 2)\n}',
            ),
          },
        ]),
      );
      // Five branches of 2 users × (1 + 2 orders): 30.
      await eventually(async () => {
        const result = await postGraphQL(f.url, { query });
        return result.status === 200 && result.body.errors === undefined;
      });
    });
  });

  describe('subgraph failures', () => {
    it('reports ready when every subgraph answers', async () => {
      const response = await fetch(`${f.url}/health/ready`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        status: 'ready',
        subgraphs: { users: { status: 'up' }, orders: { status: 'up' } },
      });
    });

    it('answers with the other data and a named error when a subgraph times out', async () => {
      const started = Date.now();
      const result = await postGraphQL(f.url, { query: '{ users { id } slowOrders { id } }' });
      expect(Date.now() - started).toBeLessThan(SLOW_MS);
      expect(result.status).toBe(200);
      expect(result.body.data).toEqual({ users: [{ id: '1' }, { id: '2' }], slowOrders: null });
      expect(result.body.errors).toEqual([
        {
          message: `Subgraph "orders" failed: timed out after ${SUBGRAPH_TIMEOUT_MS} ms`,
          extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'orders' },
        },
      ]);
    });

    it('reports 503 and serves partial data while a subgraph is down, and 200 once it is back', async () => {
      await f.orders.stop();
      try {
        const ready = await fetch(`${f.url}/health/ready`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({
          status: 'unavailable',
          subgraphs: {
            users: { status: 'up' },
            orders: { status: 'down', error: 'connection refused' },
          },
        });

        const result = await postGraphQL(f.url, {
          query: '{ users { id username orders { id } } }',
        });
        expect(result.status).toBe(200);
        expect(result.body.data).toEqual({
          users: [
            { id: '1', username: 'alice', orders: null },
            { id: '2', username: 'bob', orders: null },
          ],
        });
        expect(result.body.errors?.[0]?.message).toBe(
          'Subgraph "orders" failed: connection refused',
        );
        expect(result.body.errors?.[0]?.extensions?.serviceName).toBe('orders');
      } finally {
        await f.orders.start();
      }
      const ready = await fetch(`${f.url}/health/ready`);
      expect(ready.status).toBe(200);
    });
  });
});

describe('gateway server (production)', () => {
  let f: GatewayFixture;

  beforeAll(async () => {
    f = await startGatewayFixture({ NODE_ENV: 'production' });
  });

  afterAll(async () => {
    await f?.close();
  });

  it('refuses introspection', async () => {
    const result = await postGraphQL(f.url, { query: '{ __schema { types { name } } }' });
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.body.data).toBeUndefined();
  });

  it('serves no landing page', async () => {
    const response = await fetch(`${f.url}/graphql`, {
      headers: { accept: 'text/html', 'apollo-require-preflight': 'true' },
    });
    expect(response.headers.get('content-type')).not.toMatch(/text\/html/);
    expect(await response.text()).not.toContain('apollographql.com');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  });

  it('gives no field suggestions', async () => {
    const result = await postGraphQL(f.url, { query: '{ user { id } }' });
    expect(result.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.body.errors?.[0]?.message).toBe('Cannot query field "user" on type "Query".');
  });

  it('masks internal errors that come back from a subgraph', async () => {
    const response = await fetch(`${f.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ users { id boom } }' }),
    });
    const text = await response.text();
    expect(text).not.toMatch(/SQLITE|secret_internal_table/);
    const body = JSON.parse(text) as { data: unknown; errors: unknown[] };
    expect(body.data).toEqual({
      users: [
        { id: '1', boom: null },
        { id: '2', boom: null },
      ],
    });
    expect(body.errors[0]).toEqual({
      message: 'Internal server error',
      path: ['users', 0, 'boom'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'users' },
    });
  });

  it('still names a subgraph that is down', async () => {
    await f.orders.stop();
    try {
      const result = await postGraphQL(f.url, { query: '{ users { id orders { id } } }' });
      expect(result.body.data?.users).toEqual([
        { id: '1', orders: null },
        { id: '2', orders: null },
      ]);
      expect(result.body.errors?.[0]).toEqual({
        message: 'Subgraph "orders" failed: connection refused',
        extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'orders' },
      });
    } finally {
      await f.orders.start();
    }
  });

  it('sends no CORS headers unless origins are configured', async () => {
    const response = await postGraphQL(
      f.url,
      { query: '{ users { id } }' },
      { origin: 'https://evil.example' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('gateway server (shutdown)', () => {
  let f: GatewayFixture;

  beforeAll(async () => {
    f = await startGatewayFixture({ SUBGRAPH_TIMEOUT_MS: String(SLOW_MS * 4) });
  });

  afterAll(async () => {
    await f?.close();
  });

  it('lets an in-flight request finish, then stops accepting', async () => {
    // The order in which the request was answered and stop() resolved.
    const events: string[] = [];
    const inFlight = postGraphQL(f.url, { query: '{ slowOrders { id } }' }).then((result) => {
      events.push('answered');
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Control: until stop(), the server accepts new requests.
    expect((await fetch(`${f.url}/health`)).status).toBe(200);
    const stopping = f.server.stop().then(() => events.push('stopped'));
    // While it drains, new connections are refused.
    await expect(fetch(`${f.url}/health`)).rejects.toThrow();
    expect(events).toEqual([]);
    const result = await inFlight;
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ data: { slowOrders: [] } });
    await stopping;
    // stop() resolved only once the in-flight request had its answer.
    expect(events).toEqual(['answered', 'stopped']);
    expect(f.server.httpServer.listening).toBe(false);
    await expect(fetch(`${f.url}/health`)).rejects.toThrow();
  });
});

describe('gateway server (behind a trusted proxy)', () => {
  let f: GatewayFixture;

  beforeAll(async () => {
    f = await startGatewayFixture({ TRUST_PROXY: 'loopback' });
  });

  afterAll(async () => {
    await f?.close();
  });

  it("takes the client's address from X-Forwarded-For sent by the proxy, else the socket's", async () => {
    const users = f.users.received.length;
    await postGraphQL(f.url, { query: '{ users { id } }' }, { 'x-forwarded-for': '203.0.113.9' });
    await postGraphQL(f.url, { query: '{ users { id } }' }, { 'x-forwarded-for': 'not-an-ip' });
    const [proxied, garbled] = f.users.received.slice(users);
    expect(proxied?.envelope).toMatchObject({ ok: true, clientAddress: '203.0.113.9' });
    // An unparsable header must not switch off per-address limits: the proxy's own address counts.
    expect(garbled?.envelope).toMatchObject({ ok: true, clientAddress: '127.0.0.1' });
  });
});

import { devSecretFiles, readSecretFile, signEnvelope } from '@fedstack/kit';
import { codesOf, startStack, type Stack, type SubgraphRequest } from '../helpers/stack';

/**
 * Item 2 of the security issue: identity travels only in the gateway's signed envelope. Client
 * `x-user-*` headers are never believed, a captured signature is useless with another identity,
 * body or subgraph, or once it expires, and subgraphs refuse anything unsigned with HTTP 401.
 */

const SIGNATURE_MAX_AGE_MS = 1000;

let stack: Stack;
let alice: { accessToken: string; userId: string };
let adminId: string;

beforeAll(async () => {
  // A short signature lifetime, so that the expiry test need not wait 30 s.
  stack = await startStack({
    env: { GATEWAY_SIGNATURE_MAX_AGE_MS: String(SIGNATURE_MAX_AGE_MS) },
    recordSubgraphRequests: true,
  });
  alice = await stack.login('alice', 'alice-password');
  adminId = stack.refs.users!.admin;
});
afterAll(() => stack.stop());

/** Sends a captured (and perhaps altered) subgraph request again, straight to `url`. */
function replay(
  captured: SubgraphRequest,
  changes: { url?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return post(
    changes.url ?? captured.url,
    { ...captured.headers, ...changes.headers },
    changes.body ?? captured.body,
  );
}

async function post(url: string, headers: Record<string, string>, payload: string) {
  const res = await fetch(url, { method: 'POST', headers, body: payload });
  const body = (await res.json()) as {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
  return { status: res.status, body };
}

/** Runs `query` through the gateway as alice and returns what the gateway sent the users subgraph. */
async function captureUsersRequest(query: string): Promise<SubgraphRequest> {
  stack.subgraphRequests.length = 0;
  const res = await stack.request(query, {}, { token: alice.accessToken });
  expect(res.status).toBe(200);
  const captured = stack.subgraphRequests.find((r) => r.url === stack.subgraphs.users.url);
  if (!captured) throw new Error('the gateway sent the users subgraph nothing');
  return captured;
}

describe('2. identity headers', () => {
  it('drops client-sent x-user-* headers, anonymous or with a token', async () => {
    const spoof = { 'x-user-id': adminId, 'x-user-role': 'ADMIN', 'x-client-address': '10.0.0.1' };
    const anonymous = await stack.request('{ users { id } }', {}, { headers: spoof });
    expect(codesOf(anonymous.body)).toEqual(['UNAUTHENTICATED']);
    const adminsOnly = await stack.request(
      '{ users { id } }',
      {},
      { token: alice.accessToken, headers: spoof },
    );
    expect(codesOf(adminsOnly.body)).toEqual(['FORBIDDEN']);
    const asAlice = await stack.request<{ me: { id: string; role: string } }>(
      '{ me { id role } }',
      {},
      { token: alice.accessToken, headers: spoof },
    );
    expect(asAlice.body.data?.me).toEqual({ id: alice.userId, role: 'USER' });
    // What the gateway actually forwarded: alice, signed, whatever the client claimed.
    const sent = stack.subgraphRequests.at(-1);
    expect(sent?.headers['x-user-id']).toBe(alice.userId);
    expect(sent?.headers['x-user-role']).toBe('USER');
    expect(sent?.headers['x-client-address']).toBe('127.0.0.1');
  });

  it('sanity: a captured request replayed unchanged at once is accepted, so the refusals below mean something', async () => {
    const captured = await captureUsersRequest('{ me { id username } }');
    const res = await replay(captured);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ me: { id: alice.userId, username: 'alice' } });
  });

  it('refuses a captured request replayed with another x-user-id or x-user-role', async () => {
    const captured = await captureUsersRequest('{ me { id username } }');
    const alterations: Array<Record<string, string>> = [
      { 'x-user-id': adminId },
      { 'x-user-role': 'ADMIN' },
      { 'x-user-id': adminId, 'x-user-role': 'ADMIN' },
      { 'x-client-address': '198.51.100.7' },
    ];
    for (const headers of alterations) {
      const res = await replay(captured, { headers });
      expect(res.status).toBe(401);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(res.body.data ?? null).toBeNull();
    }
  });

  it('refuses a captured signature with another body', async () => {
    const captured = await captureUsersRequest('{ me { id username } }');
    const res = await replay(captured, {
      body: JSON.stringify({ query: '{ users(limit: 100) { id email } }' }),
    });
    expect(res.status).toBe(401);
  });

  it('refuses a signature made for one subgraph at another', async () => {
    const captured = await captureUsersRequest('{ me { id } }');
    // The same body is a valid query for the suppliers subgraph too.
    const body = JSON.stringify({ query: '{ __typename }' });
    // Someone holding the secret signs a request for the users subgraph (accepted there)...
    const secret = readSecretFile(devSecretFiles(stack.dataDir).signingSecret);
    const forUsers = signEnvelope(secret, {
      audience: 'users',
      identity: null,
      method: 'POST',
      body,
    });
    const headers = { 'content-type': 'application/json', ...forUsers };
    const atUsers = await post(stack.subgraphs.users.url, headers, body);
    expect(atUsers.status).toBe(200);
    // ...and neither it nor the gateway's captured one is accepted by another subgraph.
    for (const name of ['orders', 'suppliers'] as const) {
      const asIs = await replay(captured, { url: stack.subgraphs[name].url });
      expect(asIs.status).toBe(401);
      expect(asIs.body.errors?.[0]?.message).toMatch(/another subgraph/);
      const relabelled = await post(
        stack.subgraphs[name].url,
        { ...headers, 'x-gateway-audience': name },
        body,
      );
      expect(relabelled.status).toBe(401);
      expect(relabelled.body.errors?.[0]?.message).toMatch(/bad gateway signature/);
    }
  });

  it('refuses a captured signature once it has expired', async () => {
    const captured = await captureUsersRequest('{ me { id } }');
    await new Promise((resolve) => setTimeout(resolve, SIGNATURE_MAX_AGE_MS + 300));
    const res = await replay(captured);
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.message).toMatch(/expired/);
  });

  it.each(['users', 'orders', 'suppliers'] as const)(
    'the %s subgraph refuses unsigned or falsely signed requests with 401, _service and _entities included',
    async (name) => {
      const url = stack.subgraphs[name].url;
      const queries = [
        '{ __typename }',
        '{ _service { sdl } }',
        '{ _entities(representations: [{ __typename: "User", id: "1" }]) { __typename } }',
      ];
      for (const query of queries) {
        const body = JSON.stringify({ query });
        for (const headers of [
          { 'x-user-id': adminId, 'x-user-role': 'ADMIN' },
          {
            'x-gateway-audience': name,
            'x-gateway-timestamp': String(Date.now()),
            'x-gateway-signature': 'A'.repeat(43),
          },
          signEnvelope('a-guessed-secret-that-is-long-enough-0000', {
            audience: name,
            identity: { userId: adminId, role: 'ADMIN' },
            method: 'POST',
            body,
          }),
        ]) {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body,
          });
          expect(res.status).toBe(401);
          const answer = (await res.json()) as { data?: unknown; errors: unknown[] };
          expect(answer.data).toBeUndefined();
          expect(JSON.stringify(answer)).not.toMatch(/sdl|_Service|__typename"\s*:/);
        }
      }
      // And GET, which the gateway never uses.
      const get = await fetch(`${url}?query=${encodeURIComponent('{ _service { sdl } }')}`, {
        headers: { 'apollo-require-preflight': 'true' },
      });
      expect(get.status).toBe(401);
    },
  );
});

describe('an anonymous envelope names no caller', () => {
  /** What the gateway sends the suppliers subgraph for an anonymous request. */
  async function captureAnonymous(): Promise<SubgraphRequest> {
    stack.subgraphRequests.length = 0;
    const res = await stack.request('{ suppliers(limit: 1) { id } }');
    expect(res.status).toBe(200);
    const captured = stack.subgraphRequests.find((r) => r.url === stack.subgraphs.suppliers.url);
    if (!captured) throw new Error('the gateway sent the suppliers subgraph nothing');
    return captured;
  }

  it('a captured anonymous request does not verify with empty identity headers added', async () => {
    const captured = await captureAnonymous();
    // Control: replayed as captured (within its lifetime), it is accepted as anonymous.
    expect((await replay(captured)).status).toBe(200);
    const res = await replay(captured, { headers: { 'x-user-id': '', 'x-user-role': '' } });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a holder of the secret cannot sign an empty user id or role', () => {
    const secret = readSecretFile(devSecretFiles(stack.dataDir).signingSecret);
    for (const identity of [
      { userId: '', role: 'ADMIN' },
      { userId: adminId, role: '' },
      { userId: ' ', role: 'USER' },
    ]) {
      expect(() =>
        signEnvelope(secret, { audience: 'users', identity, method: 'POST', body: '{}' }),
      ).toThrow(/empty or malformed/);
    }
  });
});

describe('the revocation feed', () => {
  it('answers only gateway-signed requests, for the users subgraph', async () => {
    const feed = stack.subgraphs.users.url.replace(/graphql$/, 'revocations');
    const secret = readSecretFile(devSecretFiles(stack.dataDir).signingSecret);
    const sign = (audience: string) =>
      signEnvelope(secret, { audience, identity: null, method: 'GET', body: '' });
    const signed = await fetch(`${feed}?since=0`, { headers: sign('users') });
    expect(signed.status).toBe(200);
    expect(await signed.json()).toEqual({
      now: expect.any(Number),
      revocations: expect.any(Array),
    });
    expect((await fetch(`${feed}?since=0`)).status).toBe(401);
    expect((await fetch(`${feed}?since=0`, { headers: sign('orders') })).status).toBe(401);
    const bad = await fetch(`${feed}?since=yesterday`, { headers: sign('users') });
    expect(bad.status).toBe(400);
  });
});

describe('the identity link route', () => {
  it('answers only gateway-signed requests, for the users subgraph, over the exact body', async () => {
    const route = stack.subgraphs.users.url.replace(/graphql$/, 'identities');
    const secret = readSecretFile(devSecretFiles(stack.dataDir).signingSecret);
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(route, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const sign = (audience: string, body: string) =>
      signEnvelope(secret, { audience, identity: null, method: 'POST', body });
    const link = JSON.stringify({
      issuer: 'https://idp.example.com/',
      subject: 'someone',
      role: 'ADMIN',
    });

    // Unsigned, signed for another subgraph, or signed over another body: no account is made.
    expect((await post(link)).status).toBe(401);
    expect((await post(link, sign('orders', link))).status).toBe(401);
    const other = JSON.stringify({
      issuer: 'https://idp.example.com/',
      subject: 'x',
      role: 'USER',
    });
    const swapped = await post(link, sign('users', other));
    expect(swapped.status).toBe(401);
    expect(
      ((await swapped.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]
        ?.extensions.code,
    ).toBe('UNAUTHENTICATED');

    const bad = JSON.stringify({ issuer: 'https://idp.example.com/', subject: 'someone' });
    expect((await post(bad, sign('users', bad))).status).toBe(400);
    const huge = JSON.stringify({ padding: 'x'.repeat(20_000) });
    expect((await post(huge, sign('users', huge))).status).toBe(413);

    const linked = await post(link, sign('users', link));
    expect(linked.status).toBe(200);
    expect(await linked.json()).toEqual({ userId: expect.any(String), tokenVersion: 0 });
  });
});

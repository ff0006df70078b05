import { readGatewayConfig } from '@fedstack/gateway/config';
import { createGatewayServer } from '@fedstack/gateway/server';
import { codesOf, startStack, type GraphQLBody, type Stack } from '../helpers/stack';

/**
 * An access token never carries more authority than its account has now. The users subgraph
 * decides account and role changes on the account's current state, whatever the gateway knows;
 * and through the revocation feed every service refuses a token within the window for everything
 * its account no longer has: after a demotion, a deletion, a password change or a logout.
 */

const CREATE_USER =
  'mutation($u: String!, $r: Role) { createUser(input: { username: $u, email: "x@example.com", password: "a-long-password", role: $r }) { id role } }';
const UPDATE_ROLE =
  'mutation($id: ID!, $r: Role) { updateUser(id: $id, input: { role: $r }) { id role } }';
const UPDATE_EMAIL =
  'mutation($id: ID!, $e: String) { updateUser(id: $id, input: { email: $e }) { id email } }';
const UPDATE_PASSWORD =
  'mutation($id: ID!, $p: String) { updateUser(id: $id, input: { password: $p }) { id } }';
const DELETE_USER = 'mutation($id: ID!) { deleteUser(id: $id) }';
const LOGOUT = 'mutation($t: String!) { logout(refreshToken: $t) }';
const USER_BY_ID = 'query($id: ID!) { user(id: $id) { id username role } }';
const USERS = '{ users(limit: 100) { id username role } }';
const ORDERS = '{ orders { id } }';
const ME = '{ me { id role } }';

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}${Date.now() % 100_000}x${(counter += 1)}`;

async function createAccount(stack: Stack, adminToken: string, role: 'ADMIN' | 'USER') {
  const username = uniqueName(role === 'ADMIN' ? 'adm' : 'usr');
  const res = await stack.request<{ createUser: { id: string } }>(
    CREATE_USER,
    { u: username, r: role },
    { token: adminToken },
  );
  const id = res.body.data?.createUser.id;
  if (!id) throw new Error(`createUser failed: ${JSON.stringify(res.body.errors)}`);
  const session = await stack.login(username, 'a-long-password');
  return { id, username, ...session };
}

async function usernames(stack: Stack, adminToken: string): Promise<string[]> {
  const res = await stack.request<{ users: Array<{ username: string }> }>(USERS, undefined, {
    token: adminToken,
  });
  return (res.body.data?.users ?? []).map((user) => user.username);
}

/** Polls `probe` until it is true or `withinMs` has passed; resolves with the time it took. */
async function within(withinMs: number, probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`not true within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const isRevoked = (res: { status: number; body: GraphQLBody<unknown> }) =>
  res.status === 401 && codesOf(res.body)[0] === 'UNAUTHENTICATED';

describe('the users subgraph decides account and role changes on the current account', () => {
  // No revocation feed at all: what is refused here is refused by the users subgraph alone.
  let stack: Stack;
  let adminToken: string;

  beforeAll(async () => {
    stack = await startStack({ env: { TOKEN_REVOCATION_SUBGRAPH: 'none' } });
    adminToken = (await stack.login('admin', 'admin-password')).accessToken;
  });
  afterAll(() => stack.stop());

  it('a demoted admin cannot use an older token to make itself admin again, or anyone else', async () => {
    const eve = await createAccount(stack, adminToken, 'ADMIN');
    // Control: the token is an admin's and works as one.
    const made = await stack.request(
      CREATE_USER,
      { u: uniqueName('ok') },
      { token: eve.accessToken },
    );
    expect(made.body.errors).toBeUndefined();

    const demoted = await stack.request(
      UPDATE_ROLE,
      { id: eve.id, r: 'USER' },
      { token: adminToken },
    );
    expect(demoted.body.data).toEqual({ updateUser: { id: eve.id, role: 'USER' } });

    const selfPromotion = await stack.request(
      UPDATE_ROLE,
      { id: eve.id, r: 'ADMIN' },
      { token: eve.accessToken },
    );
    expect(codesOf(selfPromotion.body)).toEqual(['UNAUTHENTICATED']);
    const backdoor = uniqueName('bd');
    const another = await stack.request(
      CREATE_USER,
      { u: backdoor, r: 'ADMIN' },
      { token: eve.accessToken },
    );
    expect(codesOf(another.body)).toEqual(['UNAUTHENTICATED']);
    const deletion = await stack.request(
      DELETE_USER,
      { id: stack.refs.users?.alice ?? '' },
      { token: eve.accessToken },
    );
    expect(codesOf(deletion.body)).toEqual(['UNAUTHENTICATED']);

    const now = await stack.request<{ user: { role: string } }>(
      USER_BY_ID,
      { id: eve.id },
      { token: adminToken },
    );
    expect(now.body.data?.user.role).toBe('USER');
    expect(await usernames(stack, adminToken)).not.toContain(backdoor.toLowerCase());
    const alice = await stack.request(
      USER_BY_ID,
      { id: stack.refs.users?.alice ?? '' },
      { token: adminToken },
    );
    expect(alice.body.data?.user).not.toBeNull();
  });

  it("a deleted admin's token cannot create an account", async () => {
    const mallory = await createAccount(stack, adminToken, 'ADMIN');
    const gone = await stack.request(DELETE_USER, { id: mallory.id }, { token: adminToken });
    expect(gone.body.data).toEqual({ deleteUser: true });

    const backdoor = uniqueName('bd');
    const res = await stack.request(
      CREATE_USER,
      { u: backdoor, r: 'ADMIN' },
      { token: mallory.accessToken },
    );
    expect(codesOf(res.body)).toEqual(['UNAUTHENTICATED']);
    expect(await usernames(stack, adminToken)).not.toContain(backdoor.toLowerCase());
  });

  it('after a password change, tokens issued before cannot change the account', async () => {
    const carol = await createAccount(stack, adminToken, 'USER');
    const other = await stack.login(carol.username, 'a-long-password');
    // Control: the second token can change the account before the password changes.
    const before = await stack.request(
      UPDATE_EMAIL,
      { id: carol.id, e: 'before@example.com' },
      { token: other.accessToken },
    );
    expect(before.body.errors).toBeUndefined();

    const changed = await stack.request(
      UPDATE_PASSWORD,
      { id: carol.id, p: 'a-newer-password' },
      { token: carol.accessToken },
    );
    expect(changed.body.errors).toBeUndefined();

    for (const token of [other.accessToken, carol.accessToken]) {
      const res = await stack.request(
        UPDATE_EMAIL,
        { id: carol.id, e: 'evil@example.com' },
        { token },
      );
      expect(codesOf(res.body)).toEqual(['UNAUTHENTICATED']);
    }
    const fresh = await stack.login(carol.username, 'a-newer-password');
    const after = await stack.request(
      UPDATE_EMAIL,
      { id: carol.id, e: 'after@example.com' },
      { token: fresh.accessToken },
    );
    expect(after.body.data).toEqual({ updateUser: { id: carol.id, email: 'after@example.com' } });
  });

  it("after a logout, that login's access token cannot change the account; another login can", async () => {
    const dave = await createAccount(stack, adminToken, 'USER');
    const second = await stack.login(dave.username, 'a-long-password');
    const out = await stack.request(LOGOUT, { t: dave.refreshToken });
    expect(out.body.data).toEqual({ logout: true });

    const ended = await stack.request(
      UPDATE_EMAIL,
      { id: dave.id, e: 'evil@example.com' },
      { token: dave.accessToken },
    );
    expect(codesOf(ended.body)).toEqual(['UNAUTHENTICATED']);
    const live = await stack.request(
      UPDATE_EMAIL,
      { id: dave.id, e: 'dave@example.com' },
      { token: second.accessToken },
    );
    expect(live.body.data).toEqual({ updateUser: { id: dave.id, email: 'dave@example.com' } });
  });
});

describe('every service refuses a revoked access token within the window', () => {
  const POLL_MS = 200;
  const WINDOW_MS = 3000;
  let stack: Stack;
  let adminToken: string;

  beforeAll(async () => {
    stack = await startStack({ env: { TOKEN_REVOCATION_POLL_MS: String(POLL_MS) } });
    adminToken = (await stack.login('admin', 'admin-password')).accessToken;
  });
  afterAll(() => stack.stop());

  it('a demoted admin loses admin reads at the gateway, and its token everything', async () => {
    const eve = await createAccount(stack, adminToken, 'ADMIN');
    const control = await stack.request(USERS, undefined, { token: eve.accessToken });
    expect(control.body.errors).toBeUndefined();

    await stack.request(UPDATE_ROLE, { id: eve.id, r: 'USER' }, { token: adminToken });
    await within(WINDOW_MS, async () =>
      isRevoked(await stack.request(USERS, undefined, { token: eve.accessToken })),
    );
    // Refused by the gateway: no subgraph, orders included, sees the token again.
    const orders = await stack.request(ORDERS, undefined, { token: eve.accessToken });
    expect(isRevoked(orders)).toBe(true);
    expect(orders.body.errors?.[0]?.message).toBe('Access token revoked');
    // The admin who demoted, and a fresh login of the demoted account, work as they are now.
    expect(
      (await stack.request(USERS, undefined, { token: adminToken })).body.errors,
    ).toBeUndefined();
    const fresh = await stack.login(eve.username, 'a-long-password');
    const me = await stack.request(ME, undefined, { token: fresh.accessToken });
    expect(me.body.data).toEqual({ me: { id: eve.id, role: 'USER' } });
  });

  it("a deleted account's token is refused", async () => {
    const frank = await createAccount(stack, adminToken, 'USER');
    expect((await stack.request(ORDERS, undefined, { token: frank.accessToken })).status).toBe(200);
    await stack.request(DELETE_USER, { id: frank.id }, { token: adminToken });
    await within(WINDOW_MS, async () =>
      isRevoked(await stack.request(ORDERS, undefined, { token: frank.accessToken })),
    );
  });

  it('a password change ends the tokens issued before it, not the ones after', async () => {
    const grace = await createAccount(stack, adminToken, 'USER');
    await stack.request(
      UPDATE_PASSWORD,
      { id: grace.id, p: 'a-newer-password' },
      { token: grace.accessToken },
    );
    const fresh = await stack.login(grace.username, 'a-newer-password');
    await within(WINDOW_MS, async () =>
      isRevoked(await stack.request(ORDERS, undefined, { token: grace.accessToken })),
    );
    const res = await stack.request(ORDERS, undefined, { token: fresh.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  it("logout ends that login's access tokens on every gateway replica, and no other login", async () => {
    const second = await createGatewayServer(readGatewayConfig(stack.env));
    try {
      const port = await second.listen(0, '127.0.0.1');
      const replica = `http://127.0.0.1:${port}/graphql`;
      const viaReplica = async (token: string) => {
        const response = await fetch(replica, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: ORDERS }),
        });
        return { status: response.status, body: (await response.json()) as GraphQLBody<unknown> };
      };
      const henry = await createAccount(stack, adminToken, 'USER');
      const other = await stack.login(henry.username, 'a-long-password');
      expect((await viaReplica(henry.accessToken)).status).toBe(200);

      await stack.request(LOGOUT, { t: henry.refreshToken });
      await within(WINDOW_MS, async () =>
        isRevoked(await stack.request(ORDERS, undefined, { token: henry.accessToken })),
      );
      await within(WINDOW_MS, async () => isRevoked(await viaReplica(henry.accessToken)));
      expect((await viaReplica(other.accessToken)).status).toBe(200);
      expect((await stack.request(ORDERS, undefined, { token: other.accessToken })).status).toBe(
        200,
      );
    } finally {
      await second.stop();
    }
  });

  it('refresh-token reuse ends the access tokens of that login', async () => {
    const ivy = await createAccount(stack, adminToken, 'USER');
    const REFRESH =
      'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }';
    const rotated = await stack.request<{ refreshToken: { accessToken: string } }>(REFRESH, {
      t: ivy.refreshToken,
    });
    const rotatedToken = rotated.body.data?.refreshToken.accessToken ?? '';
    expect(rotatedToken).not.toBe('');
    const reused = await stack.request(REFRESH, { t: ivy.refreshToken });
    expect(codesOf(reused.body)).toEqual(['UNAUTHENTICATED']);
    await within(WINDOW_MS, async () =>
      isRevoked(await stack.request(ORDERS, undefined, { token: rotatedToken })),
    );
    expect(isRevoked(await stack.request(ORDERS, undefined, { token: ivy.accessToken }))).toBe(
      true,
    );
  });
});

describe('with TOKEN_REVOCATION_FAIL_CLOSED, a silent feed refuses tokens', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        TOKEN_REVOCATION_POLL_MS: '200',
        TOKEN_REVOCATION_STALE_MS: '1000',
        TOKEN_REVOCATION_FAIL_CLOSED: 'true',
      },
    });
  });
  afterAll(() => stack.stop());

  it('accepts tokens while the feed answers and refuses them once it has been silent too long', async () => {
    const { accessToken } = await stack.login('alice', 'alice-password');
    const live = await stack.request('{ suppliers { id } }', undefined, { token: accessToken });
    expect(live.status).toBe(200);
    await stack.subgraphs.users.server.stop();
    await within(5000, async () =>
      isRevoked(await stack.request('{ suppliers { id } }', undefined, { token: accessToken })),
    );
    // Anonymous requests do not depend on the feed.
    const anonymous = await stack.request('{ suppliers { id } }');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.errors).toBeUndefined();
  });
});

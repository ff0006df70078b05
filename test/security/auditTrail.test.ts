import { startStack, type LogRecord, type Stack } from '../helpers/stack';

/**
 * Item 7 of the security issue: logins (both outcomes), refresh-token reuse, role changes and
 * deletions are logged by the users subgraph as structured JSON events carrying the user id and
 * the end client's address, and no log line of any service holds a password or a token.
 *
 * The gateway trusts X-Forwarded-For from loopback here, so the client address in the events is
 * the one the test claims, proving it is the end client's, carried in the signed envelope.
 */

const CLIENT = '203.0.113.77';
const ADMIN_CLIENT = '203.0.113.78';

let stack: Stack;
/** Every secret the test sends or receives; none may appear in any log line. */
const secrets: string[] = [];

beforeAll(async () => {
  stack = await startStack({ captureLogs: true, env: { TRUST_PROXY: 'loopback' } });
});
afterAll(() => stack.stop());

const LOGIN =
  'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken user { id } } }';

async function login(username: string, password: string, ip = CLIENT) {
  secrets.push(password);
  const res = await stack.request<{
    login: { accessToken: string; refreshToken: string; user: { id: string } };
  }>(LOGIN, { u: username, p: password }, { headers: { 'x-forwarded-for': ip } });
  const session = res.body.data?.login;
  if (session) secrets.push(session.accessToken, session.refreshToken);
  return session;
}

function events(name: string): LogRecord[] {
  return stack.logs().filter((line) => line.event === name);
}

describe('7. audit trail', () => {
  let aliceId: string;
  let bobId: string;
  let admin: { accessToken: string; id: string };

  beforeAll(async () => {
    aliceId = stack.refs.users!.alice;
    bobId = stack.refs.users!.bob;
    const session = await login('admin', 'admin-password', ADMIN_CLIENT);
    admin = { accessToken: session!.accessToken, id: session!.user.id };
  });

  it('logs a successful login with the user id and the client address', async () => {
    await login('alice', 'alice-password');
    expect(events('login.succeeded')).toContainEqual(
      expect.objectContaining({
        service: 'users',
        event: 'login.succeeded',
        userId: Number(aliceId),
        ip: CLIENT,
      }),
    );
  });

  it('logs failed logins, for a known and an unknown user', async () => {
    await login('alice', 'Guess-1-alice');
    await login('no-such-user', 'Guess-2-nobody');
    const failed = events('login.failed');
    expect(failed).toContainEqual(
      expect.objectContaining({ service: 'users', userId: Number(aliceId), ip: CLIENT }),
    );
    expect(failed).toContainEqual(expect.objectContaining({ userId: null, ip: CLIENT }));
  });

  it('logs refresh-token reuse with the user id and the client address', async () => {
    const session = await login('bob', 'bob-password');
    const REFRESH =
      'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }';
    const rotated = await stack.request<{
      refreshToken: { accessToken: string; refreshToken: string };
    }>(REFRESH, { t: session!.refreshToken }, { headers: { 'x-forwarded-for': CLIENT } });
    secrets.push(
      rotated.body.data!.refreshToken.accessToken,
      rotated.body.data!.refreshToken.refreshToken,
    );
    expect(events('refresh.reused')).toEqual([]);
    await stack.request(
      REFRESH,
      { t: session!.refreshToken },
      { headers: { 'x-forwarded-for': CLIENT } },
    );
    expect(events('refresh.reused')).toEqual([
      expect.objectContaining({
        service: 'users',
        level: 40,
        userId: Number(bobId),
        familyId: expect.any(String),
        ip: CLIENT,
      }),
    ]);
  });

  it('logs a role change with the user id, the admin and the admin’s address', async () => {
    const res = await stack.request(
      'mutation($id: ID!) { updateUser(id: $id, input: { role: ADMIN }) { role } }',
      { id: bobId },
      { token: admin.accessToken, headers: { 'x-forwarded-for': ADMIN_CLIENT } },
    );
    expect(res.body.errors).toBeUndefined();
    expect(events('user.role_changed')).toEqual([
      expect.objectContaining({
        service: 'users',
        userId: Number(bobId),
        by: admin.id,
        role: 'ADMIN',
        ip: ADMIN_CLIENT,
      }),
    ]);
  });

  it('logs a deletion with the user id, the admin and the admin’s address', async () => {
    const password = 'doomed-password';
    secrets.push(password);
    const created = await stack.request<{ createUser: { id: string } }>(
      'mutation($p: String!) { createUser(input: { username: "doomed", email: "d@example.com", password: $p }) { id } }',
      { p: password },
      { token: admin.accessToken, headers: { 'x-forwarded-for': ADMIN_CLIENT } },
    );
    const id = created.body.data!.createUser.id;
    const res = await stack.request(
      'mutation($id: ID!) { deleteUser(id: $id) }',
      { id },
      { token: admin.accessToken, headers: { 'x-forwarded-for': ADMIN_CLIENT } },
    );
    expect(res.body.errors).toBeUndefined();
    expect(events('user.deleted')).toEqual([
      expect.objectContaining({
        service: 'users',
        userId: Number(id),
        by: admin.id,
        ip: ADMIN_CLIENT,
      }),
    ]);
  });

  it('never writes a password or a token into any log line, even one sent inline', async () => {
    const inline = 'Inline-Guess-Password-9';
    secrets.push(inline);
    await stack.request(
      `mutation { login(username: "alice", password: "${inline}") { accessToken } }`,
      {},
      { headers: { 'x-forwarded-for': CLIENT } },
    );
    // A refused token is logged by reason only.
    const forged = `${secrets.find((s) => s.split('.').length === 3)!}x`;
    secrets.push(forged);
    await stack.request('{ me { id } }', {}, { token: forged });

    expect(stack.logLines.length).toBeGreaterThan(10);
    expect(secrets.length).toBeGreaterThan(10);
    for (const line of stack.logLines) {
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
    expect(events('login.failed').length).toBeGreaterThanOrEqual(3);
  });
});

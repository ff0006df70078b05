import { codesOf, startStack, type Stack } from '../helpers/stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

describe('bearer tokens at the gateway', () => {
  it('accepts a token the users subgraph issued', async () => {
    const { accessToken, userId } = await stack.login('alice', 'alice-password');
    const res = await stack.request<{ me: { id: string } }>(
      '{ me { id } }',
      {},
      { token: accessToken },
    );
    expect(res.body.data?.me.id).toBe(userId);
  });

  // Forged, tampered, expired and misused tokens: test/security/tokens.test.ts; identity
  // headers and direct subgraph access: test/security/identityHeaders.test.ts.
});

describe('sessions through the gateway', () => {
  const REFRESH =
    'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken expiresIn tokenType } }';

  it('rotates refresh tokens and revokes the family on reuse', async () => {
    const first = await stack.login('bob', 'bob-password');
    const rotated = await stack.request<{
      refreshToken: { accessToken: string; refreshToken: string; tokenType: string };
    }>(REFRESH, { t: first.refreshToken });
    expect(rotated.body.data?.refreshToken.tokenType).toBe('Bearer');
    const next = rotated.body.data!.refreshToken;
    const me = await stack.request<{ me: { username: string } }>(
      '{ me { username } }',
      {},
      { token: next.accessToken },
    );
    expect(me.body.data?.me.username).toBe('bob');
    expect(codesOf((await stack.request(REFRESH, { t: first.refreshToken })).body)).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(codesOf((await stack.request(REFRESH, { t: next.refreshToken })).body)).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('logout needs no access token, revokes the family and answers true for unknown tokens', async () => {
    const session = await stack.login('bob', 'bob-password');
    const out = await stack.request<{ logout: boolean }>(
      'mutation($t: String!) { logout(refreshToken: $t) }',
      { t: session.refreshToken },
    );
    expect(out.body.data?.logout).toBe(true);
    expect(codesOf((await stack.request(REFRESH, { t: session.refreshToken })).body)).toEqual([
      'UNAUTHENTICATED',
    ]);
    const unknown = await stack.request<{ logout: boolean }>(
      'mutation { logout(refreshToken: "never-issued") }',
    );
    expect(unknown.body.data?.logout).toBe(true);
  });

  it('login answers an unknown user and a wrong password with the same UNAUTHENTICATED message', async () => {
    const LOGIN =
      'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }';
    const wrong = await stack.request(LOGIN, { u: 'alice', p: 'wrong-password' });
    const unknown = await stack.request(LOGIN, { u: 'nobody', p: 'wrong-password' });
    expect(codesOf(wrong.body)).toEqual(['UNAUTHENTICATED']);
    expect(wrong.body.errors?.[0]?.message).toBe(unknown.body.errors?.[0]?.message);
  });

  it('register creates a USER who can then log in', async () => {
    const res = await stack.request<{ register: { user: { role: string }; accessToken: string } }>(
      'mutation { register(input: { username: "Newcomer", email: "new@example.com", password: "newcomer-password" }) { accessToken user { role } } }',
    );
    expect(res.body.data?.register.user.role).toBe('USER');
    const login = await stack.login('newcomer', 'newcomer-password');
    expect(login.accessToken).toEqual(expect.any(String));
  });
});

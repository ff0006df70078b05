import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { codesOf, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let privateKey: string;
let publicKey: string;
let aliceId: string;

beforeAll(async () => {
  stack = await startStack();
  privateKey = readFileSync(join(stack.dataDir, 'keys', 'jwt-private.pem'), 'utf8');
  publicKey = readFileSync(join(stack.dataDir, 'keys', 'jwt-public.pem'), 'utf8');
  aliceId = (await stack.login('alice', 'alice-password')).userId;
});
afterAll(() => stack.stop());

function sign(
  claims: Record<string, unknown>,
  options: jwt.SignOptions = {},
  key: jwt.Secret = privateKey,
) {
  const merged: jwt.SignOptions = {
    algorithm: 'ES256',
    issuer: 'fedstack',
    audience: 'fedstack-api',
    subject: aliceId,
    expiresIn: 300,
    header: { alg: options.algorithm ?? 'ES256', typ: 'at+jwt' },
    ...options,
  };
  // An option given as undefined means "leave this claim out".
  for (const [name, value] of Object.entries(merged)) {
    if (value === undefined) delete merged[name as keyof jwt.SignOptions];
  }
  return jwt.sign({ role: 'ADMIN', ...claims }, key, merged);
}

async function expect401(token: string) {
  const res = await stack.request('{ me { id } }', {}, { token });
  expect(res.status).toBe(401);
  expect(codesOf(res.body)[0]).toBe('UNAUTHENTICATED');
  expect(res.body.data ?? null).toBeNull();
}

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

  it('sanity: a correctly forged token with the real key is accepted (so the refusals below mean something)', async () => {
    const res = await stack.request<{ me: { id: string } }>(
      '{ me { id } }',
      {},
      { token: sign({}) },
    );
    expect(res.status).toBe(200);
    expect(res.body.data?.me.id).toBe(aliceId);
  });

  it('refuses garbage and a malformed Authorization header', async () => {
    await expect401('not-a-jwt');
    const res = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic YWxpY2U6cHc=' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(res.status).toBe(401);
  });

  it('refuses a tampered payload and a flipped signature byte', async () => {
    const token = sign({ role: 'USER' });
    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...(jwt.decode(token) as object), role: 'ADMIN' }),
    ).toString('base64url');
    await expect401(`${header}.${forgedPayload}.${signature}`);
    const sig = Buffer.from(signature!, 'base64url');
    sig[10] = sig[10]! ^ 0xff;
    await expect401(`${header}.${token.split('.')[1]}.${sig.toString('base64url')}`);
  });

  it('refuses expired, not-yet-valid, wrong issuer and wrong or missing audience', async () => {
    await expect401(sign({ exp: Math.floor(Date.now() / 1000) - 3600 }, { expiresIn: undefined }));
    await expect401(sign({}, { notBefore: 3600 }));
    await expect401(sign({}, { issuer: 'someone-else' }));
    await expect401(sign({}, { audience: 'another-api' }));
    await expect401(sign({}, { audience: undefined }));
  });

  it('refuses alg none, HS256 keyed with the public key, and a token from another key', async () => {
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({
        sub: aliceId,
        role: 'ADMIN',
        iss: 'fedstack',
        aud: 'fedstack-api',
        exp: Math.floor(Date.now() / 1000) + 300,
      }),
    ).toString('base64url')}.`;
    await expect401(none);
    await expect401(sign({}, { algorithm: 'HS256' }, publicKey));
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    await expect401(sign({}, {}, other));
  });

  it('refuses a token without a subject', async () => {
    const token = jwt.sign({ role: 'ADMIN' }, privateKey, {
      algorithm: 'ES256',
      issuer: 'fedstack',
      audience: 'fedstack-api',
      expiresIn: 300,
      header: { alg: 'ES256', typ: 'at+jwt' },
    });
    await expect401(token);
  });

  it('refuses a refresh token presented as an access token', async () => {
    const { refreshToken } = await stack.login('alice', 'alice-password');
    await expect401(refreshToken);
  });
});

describe('identity headers', () => {
  it('drops client-sent x-user-* headers, anonymous or not', async () => {
    const spoof = { 'x-user-id': '1', 'x-user-role': 'ADMIN' };
    const anonymous = await stack.request('{ users { id } }', {}, { headers: spoof });
    expect(codesOf(anonymous.body)).toEqual(['UNAUTHENTICATED']);
    const { accessToken } = await stack.login('alice', 'alice-password');
    const asAlice = await stack.request(
      '{ users { id } }',
      {},
      { token: accessToken, headers: spoof },
    );
    expect(codesOf(asAlice.body)).toEqual(['FORBIDDEN']);
  });

  it.each(['users', 'orders', 'suppliers'] as const)(
    'the %s subgraph refuses requests without the gateway signature, _service and _entities included',
    async (name) => {
      const url = stack.subgraphs[name].url;
      for (const query of [
        '{ __typename }',
        '{ _service { sdl } }',
        '{ _entities(representations: [{ __typename: "User", id: "1" }]) { __typename } }',
      ]) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-user-id': '1', 'x-user-role': 'ADMIN' },
          body: JSON.stringify({ query }),
        });
        expect(res.status).toBe(401);
      }
      const forged = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-gateway-timestamp': String(Date.now()),
          'x-gateway-signature': 'A'.repeat(43),
        },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(forged.status).toBe(401);
    },
  );
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

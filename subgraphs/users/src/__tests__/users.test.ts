import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { createLogger, type Viewer } from '@fedstack/kit';
import {
  expectMigrationsRoundTrip,
  startTestSubgraph,
  testDatabases,
  type TestSubgraph,
} from '@fedstack/kit/testing';
import { usersSubgraph, type UsersConfig } from '../index';
import { migrations } from '../migrations';

describe.each(testDatabases())('on %s', (database) => {
  let sub: TestSubgraph<UsersConfig>;
  let ids: { admin: string; alice: string; bob: string };
  const admin = (): Viewer => ({ id: ids.admin, role: 'ADMIN' });
  const alice = (): Viewer => ({ id: ids.alice, role: 'USER' });

  const LOGIN = `mutation($u: String!, $p: String!) {
    login(username: $u, password: $p) { accessToken refreshToken tokenType expiresIn user { id username role } }
  }`;
  const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }`;

  beforeAll(async () => {
    sub = await startTestSubgraph(usersSubgraph, { database, seed: {} });
    const rows = await sub.query<{ users: Array<{ id: string; username: string }> }>(
      '{ users { id username } }',
      {},
      { id: '1', role: 'ADMIN' },
    );
    const idOf = (name: string) => {
      const user = rows.body.data?.users.find((u) => u.username === name);
      if (!user) throw new Error(`seed user ${name} missing`);
      return user.id;
    };
    ids = { admin: idOf('admin'), alice: idOf('alice'), bob: idOf('bob') };
  });
  afterAll(() => sub.stop());

  const codes = (body: { errors?: Array<{ extensions?: Record<string, unknown> }> }) =>
    (body.errors ?? []).map((error) => error.extensions?.code);

  describe('login', () => {
    it('issues an ES256 access token with the contract claims and a refresh token', async () => {
      const res = await sub.query<{ login: Record<string, unknown> }>(LOGIN, {
        u: 'alice',
        p: 'alice-password',
      });
      const payload = res.body.data?.login;
      expect(payload).toMatchObject({
        tokenType: 'Bearer',
        expiresIn: 900,
        user: { username: 'alice', role: 'USER' },
      });
      const publicKey = readFileSync(join(sub.config.dataDir, 'keys', 'jwt-public.pem'), 'utf8');
      const claims = jwt.verify(String(payload?.accessToken), publicKey, {
        algorithms: ['ES256'],
        issuer: 'fedstack',
        audience: 'fedstack-api',
        complete: true,
      });
      expect(claims.header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
      expect(claims.payload).toMatchObject({ sub: ids.alice, role: 'USER' });
      expect(typeof payload?.refreshToken).toBe('string');
      expect(String(payload?.refreshToken).length).toBeGreaterThanOrEqual(40);
    });

    it('matches the username regardless of case', async () => {
      const res = await sub.query(LOGIN, { u: 'ALICE', p: 'alice-password' });
      expect(res.body.errors).toBeUndefined();
    });

    it('answers an unknown user and a wrong password identically', async () => {
      const wrong = await sub.query(LOGIN, { u: 'alice', p: 'not-her-password' });
      const unknown = await sub.query(LOGIN, { u: 'nobody-here', p: 'whatever-password' });
      expect(codes(wrong.body)).toEqual(['UNAUTHENTICATED']);
      expect(wrong.body.errors?.[0]?.message).toBe(unknown.body.errors?.[0]?.message);
      expect(codes(unknown.body)).toEqual(['UNAUTHENTICATED']);
    });

    it('stores passwords only as argon2id hashes', async () => {
      const [rows] = await sub.db.sequelize.query('SELECT "passwordHash" FROM users');
      for (const row of rows as Array<{ passwordHash: string }>) {
        expect(row.passwordHash).toMatch(/^\$argon2id\$/);
        expect(row.passwordHash).not.toContain('password');
      }
    });
  });

  describe('refresh tokens', () => {
    async function login() {
      const res = await sub.query<{ login: { refreshToken: string } }>(LOGIN, {
        u: 'bob',
        p: 'bob-password',
      });
      return res.body.data!.login.refreshToken;
    }

    it('rotates: the new token works, the old one is refused and revokes the family', async () => {
      const first = await login();
      const rotated = await sub.query<{ refreshToken: { refreshToken: string } }>(REFRESH, {
        t: first,
      });
      const second = rotated.body.data!.refreshToken.refreshToken;
      expect(second).not.toBe(first);

      const reuse = await sub.query(REFRESH, { t: first });
      expect(codes(reuse.body)).toEqual(['UNAUTHENTICATED']);
      // The reuse revoked the whole family, so the legitimate newer token is dead too.
      const afterReuse = await sub.query(REFRESH, { t: second });
      expect(codes(afterReuse.body)).toEqual(['UNAUTHENTICATED']);
    });

    it('logout revokes the family and answers true for unknown tokens', async () => {
      const token = await login();
      const out = await sub.query<{ logout: boolean }>(
        'mutation($t: String!) { logout(refreshToken: $t) }',
        { t: token },
      );
      expect(out.body.data?.logout).toBe(true);
      expect(codes((await sub.query(REFRESH, { t: token })).body)).toEqual(['UNAUTHENTICATED']);
      const unknown = await sub.query<{ logout: boolean }>(
        'mutation { logout(refreshToken: "nope") }',
      );
      expect(unknown.body.data?.logout).toBe(true);
    });

    it("does not let another login family be revoked by one family's reuse", async () => {
      const a = await login();
      const b = await login();
      await sub.query(REFRESH, { t: a });
      await sub.query(REFRESH, { t: a });
      const other = await sub.query(REFRESH, { t: b });
      expect(other.body.errors).toBeUndefined();
    });
  });

  describe('register and input validation', () => {
    const REGISTER = `mutation($i: RegisterInput!) { register(input: $i) { user { id username role } accessToken } }`;

    it('creates a USER and signs them in', async () => {
      const res = await sub.query<{ register: { user: { role: string; username: string } } }>(
        REGISTER,
        {
          i: { username: 'carol', email: 'carol@example.com', password: 'carol-password' },
        },
      );
      expect(res.body.data?.register.user).toMatchObject({ username: 'carol', role: 'USER' });
    });

    it('refuses a username taken in another case', async () => {
      const res = await sub.query(REGISTER, {
        i: { username: 'Alice', email: 'a@example.com', password: 'long-enough' },
      });
      expect(codes(res.body)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors?.[0]?.message).toContain('input.username');
    });

    it.each([
      ['input.username', { username: 'ab', email: 'x@example.com', password: 'long-enough' }],
      [
        'input.username',
        { username: 'has space', email: 'x@example.com', password: 'long-enough' },
      ],
      ['input.email', { username: 'dave', email: 'no-at-sign', password: 'long-enough' }],
      [
        'input.email',
        { username: 'dave', email: `${'e'.repeat(250)}@x.io`, password: 'long-enough' },
      ],
      ['input.password', { username: 'dave', email: 'd@example.com', password: 'short' }],
      ['input.password', { username: 'dave', email: 'd@example.com', password: 'p'.repeat(129) }],
    ])('names %s when it is invalid', async (field, input) => {
      const res = await sub.query(REGISTER, { i: input });
      expect(codes(res.body)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors?.[0]?.message).toContain(field);
    });
  });

  describe('authorization', () => {
    it('me needs a viewer', async () => {
      expect(codes((await sub.query('{ me { id } }')).body)).toEqual(['UNAUTHENTICATED']);
      const res = await sub.query<{ me: { id: string } }>('{ me { id email } }', {}, alice());
      expect(res.body.data?.me).toEqual({ id: ids.alice, email: 'alice@example.com' });
    });

    it('user(id) is visible to the user themself and admins only', async () => {
      const q = `query($id: ID!) { user(id: $id) { id username } }`;
      expect(
        (await sub.query<{ user: unknown }>(q, { id: ids.bob }, alice())).body.data?.user,
      ).toBeNull();
      expect((await sub.query<{ user: unknown }>(q, { id: ids.bob })).body.data?.user).toBeNull();
      expect(
        (await sub.query<{ user: { id: string } }>(q, { id: ids.alice }, alice())).body.data?.user
          ?.id,
      ).toBe(ids.alice);
      expect(
        (await sub.query<{ user: { id: string } }>(q, { id: ids.bob }, admin())).body.data?.user
          ?.id,
      ).toBe(ids.bob);
      expect(
        (await sub.query<{ user: unknown }>(q, { id: 'not-an-id' }, admin())).body.data?.user,
      ).toBeNull();
    });

    it('users is for admins only and validates paging', async () => {
      expect(codes((await sub.query('{ users { id } }')).body)).toEqual(['UNAUTHENTICATED']);
      expect(codes((await sub.query('{ users { id } }', {}, alice())).body)).toEqual(['FORBIDDEN']);
      const page = await sub.query<{ users: unknown[] }>('{ users(limit: 2) { id } }', {}, admin());
      expect(page.body.data?.users).toHaveLength(2);
      for (const bad of ['limit: 0', 'limit: 101', 'offset: -1']) {
        const res = await sub.query(`{ users(${bad}) { id } }`, {}, admin());
        expect(codes(res.body)).toEqual(['BAD_USER_INPUT']);
        expect(res.body.errors?.[0]?.message).toContain(bad.split(':')[0]);
      }
    });

    it('hides email from others, on the entity path too', async () => {
      const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id username email } } }`;
      const reps = { r: [{ __typename: 'User', id: ids.bob }] };
      const asAlice = await sub.query<{
        _entities: Array<{ username: string; email: string | null }>;
      }>(q, reps, alice());
      expect(asAlice.body.data?._entities[0]).toMatchObject({ username: 'bob', email: null });
      expect(codes(asAlice.body)).toEqual(['FORBIDDEN']);
      const anonymous = await sub.query(q, reps);
      expect(codes(anonymous.body)).toEqual(['FORBIDDEN']);
      const asAdmin = await sub.query<{ _entities: Array<{ email: string }> }>(q, reps, admin());
      expect(asAdmin.body.data?._entities[0]?.email).toBe('bob@example.com');
    });

    it('createUser is for admins only and may set the role', async () => {
      const m = `mutation($i: CreateUserInput!) { createUser(input: $i) { username role } }`;
      const input = {
        username: 'eve',
        email: 'eve@example.com',
        password: 'eve-password',
        role: 'ADMIN',
      };
      expect(codes((await sub.query(m, { i: input }, alice())).body)).toEqual(['FORBIDDEN']);
      expect(codes((await sub.query(m, { i: input })).body)).toEqual(['UNAUTHENTICATED']);
      const ok = await sub.query<{ createUser: { role: string } }>(m, { i: input }, admin());
      expect(ok.body.data?.createUser).toEqual({ username: 'eve', role: 'ADMIN' });
    });

    it('updateUser: self but not role, admins anything, others FORBIDDEN, missing NOT_FOUND', async () => {
      const m = `mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id email role } }`;
      const self = await sub.query<{ updateUser: { email: string } }>(
        m,
        { id: ids.alice, i: { email: 'alice@new.example' } },
        alice(),
      );
      expect(self.body.data?.updateUser.email).toBe('alice@new.example');
      expect(
        codes((await sub.query(m, { id: ids.alice, i: { role: 'ADMIN' } }, alice())).body),
      ).toEqual(['FORBIDDEN']);
      expect(
        codes((await sub.query(m, { id: ids.bob, i: { email: 'x@y.z' } }, alice())).body),
      ).toEqual(['FORBIDDEN']);
      expect(
        codes((await sub.query(m, { id: '999999', i: { email: 'x@y.z' } }, alice())).body),
      ).toEqual(['FORBIDDEN']);
      expect(codes((await sub.query(m, { id: ids.bob, i: { email: 'x@y.z' } })).body)).toEqual([
        'UNAUTHENTICATED',
      ]);
      expect(
        codes((await sub.query(m, { id: '999999', i: { email: 'x@y.z' } }, admin())).body),
      ).toEqual(['NOT_FOUND']);
      expect(
        codes((await sub.query(m, { id: ids.alice, i: { email: 'bad' } }, admin())).body),
      ).toEqual(['BAD_USER_INPUT']);
      const promoted = await sub.query<{ updateUser: { role: string } }>(
        m,
        { id: ids.bob, i: { role: 'ADMIN' } },
        admin(),
      );
      expect(promoted.body.data?.updateUser.role).toBe('ADMIN');
      await sub.query(m, { id: ids.bob, i: { role: 'USER' } }, admin());
    });

    it('a password change ends existing sessions and the new password works', async () => {
      const login = await sub.query<{ login: { refreshToken: string } }>(LOGIN, {
        u: 'carol',
        p: 'carol-password',
      });
      const [row] = (
        await sub.db.sequelize.query(`SELECT id FROM users WHERE "usernameKey" = 'carol'`)
      )[0] as Array<{ id: number }>;
      const carol: Viewer = { id: String(row!.id), role: 'USER' };
      const m = `mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }`;
      await sub.query(m, { id: carol.id, i: { password: 'carol-new-password' } }, carol);
      expect(
        codes((await sub.query(REFRESH, { t: login.body.data!.login.refreshToken })).body),
      ).toEqual(['UNAUTHENTICATED']);
      expect(
        (await sub.query(LOGIN, { u: 'carol', p: 'carol-new-password' })).body.errors,
      ).toBeUndefined();
      expect(codes((await sub.query(LOGIN, { u: 'carol', p: 'carol-password' })).body)).toEqual([
        'UNAUTHENTICATED',
      ]);
    });

    it('deleteUser: FORBIDDEN for non-admins whatever the id, NOT_FOUND for a missing id', async () => {
      const m = `mutation($id: ID!) { deleteUser(id: $id) }`;
      expect(codes((await sub.query(m, { id: ids.bob }, alice())).body)).toEqual(['FORBIDDEN']);
      expect(codes((await sub.query(m, { id: '999999' }, alice())).body)).toEqual(['FORBIDDEN']);
      expect(codes((await sub.query(m, { id: '999999' }, admin())).body)).toEqual(['NOT_FOUND']);
      const created = await sub.query<{ register: { user: { id: string } } }>(
        `mutation { register(input: { username: "temp", email: "t@example.com", password: "temp-password" }) { user { id } } }`,
      );
      const id = created.body.data!.register.user.id;
      const ok = await sub.query<{ deleteUser: boolean }>(m, { id }, admin());
      expect(ok.body.data?.deleteUser).toBe(true);
      const gone = await sub.query<{ user: unknown }>(
        `query($id: ID!) { user(id: $id) { id } }`,
        { id },
        admin(),
      );
      expect(gone.body.data?.user).toBeNull();
    });
  });

  describe('batching and transport', () => {
    it('resolves many User references with one SELECT', async () => {
      const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id username } } }`;
      sub.sql.length = 0;
      const res = await sub.query<{ _entities: Array<{ username: string }> }>(q, {
        r: [ids.admin, ids.alice, ids.bob, 'garbage'].map((id) => ({ __typename: 'User', id })),
      });
      expect(res.body.data?._entities.map((u) => u?.username ?? null)).toEqual([
        'admin',
        'alice',
        'bob',
        null,
      ]);
      expect(sub.sql.filter((s) => /SELECT .* FROM .users/i.test(s))).toHaveLength(1);
    });

    it('reads references and me without the password hash, which login still reads', async () => {
      const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { username } } }`;
      sub.sql.length = 0;
      const refs = await sub.query(q, { r: [{ __typename: 'User', id: ids.bob }] });
      expect(refs.body.errors).toBeUndefined();
      const me = await sub.query<{ me: { username: string; email: string } }>(
        '{ me { username email } }',
        {},
        alice(),
      );
      expect(me.body.data?.me).toMatchObject({
        username: 'alice',
        email: expect.stringContaining('@'),
      });
      const reads = sub.sql.filter((s) => /SELECT .* FROM .users/i.test(s));
      expect(reads).toHaveLength(2);
      for (const read of reads) expect(read).not.toMatch(/passwordHash/);

      sub.sql.length = 0;
      const login = await sub.query(LOGIN, { u: 'bob', p: 'bob-password' });
      expect(login.body.errors).toBeUndefined();
      expect(sub.sql.some((s) => /SELECT .*passwordHash.* FROM .users/i.test(s))).toBe(true);
    });

    it('refuses a request without the gateway signature with 401', async () => {
      const res = await fetch(sub.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-user-id': ids.admin,
          'x-user-role': 'ADMIN',
        },
        body: JSON.stringify({ query: '{ users { id } }' }),
      });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
      expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('production start-up', () => {
    it('refuses to start while a seed account keeps its default password', async () => {
      const key = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      const config = usersSubgraph.readConfig({
        NODE_ENV: 'production',
        DATA_DIR: sub.config.dataDir,
        JWT_PRIVATE_KEY: key,
        GATEWAY_SIGNING_SECRET: randomBytes(32).toString('hex'),
      });
      const logger = createLogger({ service: 'users', level: 'silent', format: 'json' });
      await expect(usersSubgraph.createServer({ config, db: sub.db, logger })).rejects.toThrow(
        /seed account "admin" still has its default password/,
      );
    });

    it('refuses production without keys, and with the generated development keys', () => {
      expect(() =>
        usersSubgraph.readConfig({ NODE_ENV: 'production', DATA_DIR: sub.config.dataDir }),
      ).toThrow(/GATEWAY_SIGNING_SECRET or GATEWAY_SIGNING_SECRET_FILE is required/);
      const devSecret = readFileSync(
        join(sub.config.dataDir, 'keys', 'gateway-signing.secret'),
        'utf8',
      );
      const freshKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      expect(() =>
        usersSubgraph.readConfig({
          NODE_ENV: 'production',
          DATA_DIR: sub.config.dataDir,
          GATEWAY_SIGNING_SECRET: devSecret,
          JWT_PRIVATE_KEY: freshKey,
        }),
      ).toThrow(/GATEWAY_SIGNING_SECRET is the generated development secret/);
      expect(() =>
        usersSubgraph.readConfig({
          NODE_ENV: 'production',
          DATA_DIR: sub.config.dataDir,
          GATEWAY_SIGNING_SECRET: 'x'.repeat(40),
          JWT_PRIVATE_KEY_FILE: join(sub.config.dataDir, 'keys', 'jwt-private.pem'),
        }),
      ).toThrow(/JWT_PRIVATE_KEY is the generated development secret/);
    });
  });

  // Last: it empties the database.
  describe('migrations', () => {
    it('go all the way down and up again', async () => {
      await expectMigrationsRoundTrip(sub.db, migrations, { tables: ['users', 'refresh_tokens'] });
    });
  });
});

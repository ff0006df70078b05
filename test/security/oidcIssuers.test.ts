import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { startStack, type Stack } from '../helpers/stack';

/**
 * External OIDC issuers against the real stack: a Keycloak-shaped issuer started here (discovery
 * document and JWKS under /realms/<realm>, RS256 tokens with `typ: JWT` and `realm_access.roles`)
 * and a second issuer known only by its JWKS URL, Auth0-style with a namespaced roles claim.
 */

const REALM = 'shop';
const AUDIENCE = 'fedstack-api';
const ROLES_CLAIM = 'https://fedstack.example/roles';

interface Issuer {
  url: string;
  issuer: string;
  key: KeyObject;
  publicPem: string;
  kid: string;
  discoveryFetches: number;
  close(): Promise<void>;
}

async function startIssuer(realm: string): Promise<Issuer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const state: Issuer = {
    url: '',
    issuer: '',
    key: privateKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    kid: randomUUID(),
    discoveryFetches: 0,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const base = `/realms/${realm}`;
    if (req.url === `${base}/.well-known/openid-configuration`) {
      state.discoveryFetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          issuer: state.issuer,
          jwks_uri: `${state.issuer}/protocol/openid-connect/certs`,
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
      return;
    }
    if (req.url === `${base}/protocol/openid-connect/certs`) {
      const jwk = publicKey.export({ format: 'jwk' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [{ ...jwk, kid: state.kid, use: 'sig', alg: 'RS256' }] }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.issuer = `${state.url}/realms/${realm}`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

interface TokenOptions {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  key?: KeyObject | string;
  algorithm?: jwt.Algorithm;
  kid?: string;
}

/** A Keycloak-style access token of `issuer`. */
function keycloakToken(issuer: Issuer, sub: string, roles: string[], options: TokenOptions = {}) {
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign(
    {
      iss: issuer.issuer,
      aud: [AUDIENCE, 'account'],
      sub,
      typ: 'Bearer',
      azp: 'shop-frontend',
      iat: now,
      exp: now + 300,
      preferred_username: `kc.${sub}`,
      email: `${sub}@example.com`,
      email_verified: true,
      realm_access: { roles: ['offline_access', ...roles] },
      ...options.claims,
    },
    options.key ?? issuer.key,
    {
      algorithm: options.algorithm ?? 'RS256',
      header: {
        alg: options.algorithm ?? 'RS256',
        typ: 'JWT',
        kid: options.kid ?? issuer.kid,
        ...options.header,
      },
    },
  );
}

const ME = '{ me { id username email role } }';

let keycloak: Issuer;
let auth0: Issuer;
let stack: Stack;

function issuersFile(entries: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'fedstack-oidc-'));
  const file = join(dir, 'issuers.json');
  writeFileSync(file, JSON.stringify({ issuers: entries }));
  return file;
}

beforeAll(async () => {
  keycloak = await startIssuer(REALM);
  auth0 = await startIssuer('tenant');
  const file = issuersFile([
    {
      issuer: keycloak.issuer,
      discoveryUrl: `${keycloak.issuer}/.well-known/openid-configuration`,
      audience: AUDIENCE,
      algorithms: ['RS256'],
      headerTypes: ['JWT'],
      payloadType: 'Bearer',
      roleClaim: 'realm_access.roles',
      roles: { 'shop-admin': 'ADMIN', 'shop-user': 'USER' },
      clockToleranceSeconds: 0,
    },
    {
      issuer: auth0.issuer,
      jwksUrl: `${auth0.issuer}/protocol/openid-connect/certs`,
      audience: [AUDIENCE],
      algorithms: ['RS256'],
      headerTypes: ['JWT'],
      roleClaim: ROLES_CLAIM,
      roles: { admin: 'ADMIN' },
      defaultRole: 'USER',
    },
  ]);
  stack = await startStack({
    env: {
      JWT_ISSUERS_FILE: file,
      TOKEN_REVOCATION_POLL_MS: '200',
      IDENTITY_LINK_CACHE_TTL_MS: '60000',
    },
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await keycloak?.close();
  await auth0?.close();
});

interface Me {
  me: { id: string; username: string; email: string; role: string } | null;
}

async function me(token: string) {
  return stack.request<Me>(ME, undefined, { token });
}

describe('external OIDC issuers', () => {
  it('links a Keycloak user to one new local account on first sight, also when sighted concurrently', async () => {
    const sub = randomUUID();
    const token = keycloakToken(keycloak, sub, ['shop-user']);
    const answers = await Promise.all(Array.from({ length: 6 }, () => me(token)));
    const ids = new Set(answers.map((answer) => answer.body.data?.me?.id));
    expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(200));
    expect(ids.size).toBe(1);
    const [first] = answers;
    expect(first?.body.data?.me).toMatchObject({
      username: expect.stringMatching(/^kc\.[0-9a-f-]{1,20}-[0-9a-f]{10}$/) as unknown,
      email: `${sub}@example.com`,
      role: 'USER',
    });
    // A later token of the same subject reuses the account.
    const again = await me(keycloakToken(keycloak, sub, ['shop-user']));
    expect(again.body.data?.me?.id).toBe(first?.body.data?.me?.id);
    // Two other concurrent subjects get an account each.
    const [x, y] = await Promise.all([
      me(keycloakToken(keycloak, randomUUID(), ['shop-user'])),
      me(keycloakToken(keycloak, randomUUID(), ['shop-user'])),
    ]);
    expect(x.body.data?.me?.id).toBeDefined();
    expect(x.body.data?.me?.id).not.toBe(y.body.data?.me?.id);
  });

  it('owns the orders the external user creates, and shows them to nobody else', async () => {
    const token = keycloakToken(keycloak, randomUUID(), ['shop-user']);
    const created = await stack.request<{ createOrder: { id: string; user: { id: string } } }>(
      'mutation { createOrder(input: { item: "bolts", quantity: 2 }) { id user { id } } }',
      undefined,
      { token },
    );
    expect(created.body.errors).toBeUndefined();
    const order = created.body.data!.createOrder;
    const mine = await me(token);
    expect(order.user.id).toBe(mine.body.data?.me?.id);
    const own = await stack.request<{ orders: Array<{ id: string }> }>(
      '{ orders { id } }',
      undefined,
      {
        token,
      },
    );
    expect(own.body.data?.orders.map(({ id }) => id)).toEqual([order.id]);
    const other = keycloakToken(keycloak, randomUUID(), ['shop-user']);
    const seen = await stack.request<{ order: { id: string } | null }>(
      'query($id: ID!) { order(id: $id) { id } }',
      { id: order.id },
      { token: other },
    );
    expect(seen.body.data?.order).toBeNull();
  });

  it('grants admin only through the role map, and follows a role change at the provider', async () => {
    const sub = randomUUID();
    const asUser = keycloakToken(keycloak, sub, ['shop-user', 'admin', 'ADMIN'], {
      claims: { role: 'ADMIN' },
    });
    expect((await me(asUser)).body.data?.me?.role).toBe('USER');
    const users = '{ users(limit: 1) { id } }';
    const refused = await stack.request(users, undefined, { token: asUser });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Promoted at the provider: the next token's role is the account's.
    const asAdmin = keycloakToken(keycloak, sub, ['shop-user', 'shop-admin'], {
      claims: { iat: Math.floor(Date.now() / 1000) + 1 },
    });
    expect((await me(asAdmin)).body.data?.me?.role).toBe('ADMIN');
    const allowed = await stack.request(users, undefined, { token: asAdmin });
    expect(allowed.body.errors).toBeUndefined();

    // The token from before the promotion no longer counts once the feed has been polled.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect((await me(asUser)).status).toBe(401);
    expect((await me(asAdmin)).body.data?.me?.role).toBe('ADMIN');
  });

  it('takes an Auth0-style namespaced roles claim, with the default role when none maps', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = (roles: unknown) =>
      jwt.sign(
        {
          iss: auth0.issuer,
          aud: AUDIENCE,
          sub: `auth0|${randomUUID()}`,
          iat: now,
          exp: now + 60,
          [ROLES_CLAIM]: roles,
        },
        auth0.key,
        { algorithm: 'RS256', header: { alg: 'RS256', typ: 'JWT', kid: auth0.kid } },
      );
    expect((await me(token(['admin']))).body.data?.me?.role).toBe('ADMIN');
    expect((await me(token(['viewer']))).body.data?.me?.role).toBe('USER');
    expect((await me(token(undefined))).body.data?.me?.role).toBe('USER');
  });

  it('refuses a Keycloak token whose role claim maps to nothing (no default role)', async () => {
    const answer = await me(keycloakToken(keycloak, randomUUID(), []));
    expect(answer.status).toBe(401);
  });

  const attacks: Array<[string, () => string]> = [
    [
      'a wrong audience',
      () => keycloakToken(keycloak, 'a', ['shop-user'], { claims: { aud: 'account' } }),
    ],
    [
      'an unknown issuer',
      () =>
        keycloakToken(keycloak, 'a', ['shop-user'], {
          claims: { iss: `${keycloak.url}/realms/other` },
        }),
    ],
    [
      "a configured issuer signed with another issuer's key",
      () => keycloakToken(keycloak, 'a', ['shop-user'], { key: auth0.key, kid: auth0.kid }),
    ],
    [
      'a configured issuer signed with another key under its kid',
      () =>
        keycloakToken(keycloak, 'a', ['shop-user'], {
          key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
        }),
    ],
    ['an unknown kid', () => keycloakToken(keycloak, 'a', ['shop-user'], { kid: 'not-a-key' })],
    [
      'an expired token',
      () =>
        keycloakToken(keycloak, 'a', ['shop-user'], {
          claims: { iat: 1_700_000_000, exp: 1_700_000_300 },
        }),
    ],
    [
      'an ID token (payload typ ID)',
      () => keycloakToken(keycloak, 'a', ['shop-user'], { claims: { typ: 'ID' } }),
    ],
    [
      'a refresh-style header type',
      () => keycloakToken(keycloak, 'a', ['shop-user'], { header: { typ: 'refresh+jwt' } }),
    ],
    [
      'alg none',
      () => {
        const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
        const [, payload] = keycloakToken(keycloak, 'a', ['shop-admin']).split('.');
        return `${encode({ alg: 'none', typ: 'JWT', kid: keycloak.kid })}.${payload}.`;
      },
    ],
    [
      'HS256 keyed with the public key',
      () =>
        keycloakToken(keycloak, 'a', ['shop-admin'], {
          key: keycloak.publicPem,
          algorithm: 'HS256',
        }),
    ],
    [
      'an external token claiming the built-in issuer',
      () =>
        keycloakToken(keycloak, 'a', ['shop-admin'], {
          claims: { iss: 'fedstack', aud: 'fedstack-api', role: 'ADMIN' },
          header: { typ: 'at+jwt' },
        }),
    ],
  ];

  it('accepts the unaltered token the attacks start from', async () => {
    expect((await me(keycloakToken(keycloak, 'a', ['shop-user']))).status).toBe(200);
  });

  it.each(attacks)('refuses %s', async (_label, make) => {
    const answer = await me(make());
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(answer.body.data ?? null).toBeNull();
  });

  it('keeps accepting the built-in issuer alongside', async () => {
    const { accessToken } = await stack.login('alice', 'alice-password');
    expect((await me(accessToken)).body.data?.me?.username).toBe('alice');
  });

  it('gives the linked account no password to sign in with', async () => {
    const sub = randomUUID();
    const linked = await me(keycloakToken(keycloak, sub, ['shop-user']));
    const username = linked.body.data!.me!.username;
    for (const password of ['', '!external', 'external', sub]) {
      const answer = await stack.request(
        'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }',
        { u: username, p: password },
      );
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('lets the linked account set no local password, while it may change its email', async () => {
    const token = keycloakToken(keycloak, randomUUID(), ['shop-user']);
    const id = (await me(token)).body.data!.me!.id;
    const UPDATE = `mutation($id: ID!, $input: UpdateUserInput!) {
      updateUser(id: $id, input: $input) { id email }
    }`;
    const refused = await stack.request(
      UPDATE,
      { id, input: { password: 'a-local-password' } },
      { token },
    );
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.body.errors?.[0]?.message).toContain('input.password');
    const email = `${id}@example.com`;
    const changed = await stack.request(UPDATE, { id, input: { email } }, { token });
    expect(changed.body.errors).toBeUndefined();
    expect(changed.body.data).toEqual({ updateUser: { id, email } });
  });

  it('discovered the issuer once', () => {
    expect(keycloak.discoveryFetches).toBe(1);
  });
});

describe('with the built-in issuer switched off', () => {
  let issuer: Issuer;
  let only: Stack;

  beforeAll(async () => {
    issuer = await startIssuer(REALM);
    only = await startStack({
      env: {
        JWT_BUILTIN_ISSUER: 'false',
        JWT_ISSUERS_FILE: issuersFile([
          {
            issuer: issuer.issuer,
            discoveryUrl: `${issuer.issuer}/.well-known/openid-configuration`,
            audience: AUDIENCE,
            algorithms: ['RS256'],
            headerTypes: ['JWT'],
            roleClaim: 'realm_access.roles',
            roles: { 'shop-user': 'USER' },
          },
        ]),
      },
    });
  }, 60_000);

  afterAll(async () => {
    await only?.stop();
    await issuer?.close();
  });

  it("refuses the users subgraph's own tokens and accepts the external issuer's", async () => {
    const { accessToken } = await only.login('alice', 'alice-password');
    const own = await only.request(ME, undefined, { token: accessToken });
    expect(own.status).toBe(401);
    const external = await only.request<Me>(ME, undefined, {
      token: keycloakToken(issuer, randomUUID(), ['shop-user']),
    });
    expect(external.body.data?.me?.role).toBe('USER');
  });

  it('answers a clear 503 at first sight while the users subgraph is down, never anonymous', async () => {
    const known = keycloakToken(issuer, randomUUID(), ['shop-user']);
    expect((await only.request<Me>(ME, undefined, { token: known })).status).toBe(200);
    await only.subgraphs.users.server.stop();
    const answer = await only.request<Me>('{ __typename }', undefined, {
      token: keycloakToken(issuer, randomUUID(), ['shop-user']),
    });
    expect(answer.status).toBe(503);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('IDENTITY_UNAVAILABLE');
    expect(answer.body.data ?? null).toBeNull();
  });
});

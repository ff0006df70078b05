import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { createLogger, openSubgraphDatabase } from '@fedstack/kit';
import { readGatewayConfig } from '@fedstack/gateway/config';
import { createGatewayServer, type GatewayServer } from '@fedstack/gateway/server';
import { usersSubgraph } from '../../subgraphs/users/src/index';
import { codesOf, startStack, type GraphQLBody, type Stack } from '../helpers/stack';

/**
 * The users subgraph publishes its public keys as a JWKS and a gateway with `JWT_JWKS_URL`
 * checks tokens with the key their `kid` names, through a rotation from key A to key B: real
 * HTTP, tokens issued by the users subgraph itself.
 */

const ME = '{ me { id } }';
const CACHE_MAX_AGE_MS = 1000;

interface KeyPair {
  privatePem: string;
  publicPem: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

function keyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** RFC 7638 worked out here by hand for an EC key, apart from the code under test. */
function thumbprintOf(key: KeyObject): string {
  const { crv, kty, x, y } = key.export({ format: 'jwk' });
  return createHash('sha256')
    .update(`{"crv":"${crv}","kty":"${kty}","x":"${x}","y":"${y}"}`)
    .digest('base64url');
}

interface Jwks {
  keys: Array<Record<string, string>>;
}

/** Serves the users subgraph's JWKS to the gateway, counting fetches; can be made to fail. */
interface JwksRelay {
  url: string;
  fetches: number;
  down: boolean;
  close(): Promise<void>;
}

async function startRelay(targetPort: () => number): Promise<JwksRelay> {
  const relay: JwksRelay = { url: '', fetches: 0, down: false, close: async () => {} };
  const server: Server = createServer((req, res) => {
    relay.fetches += 1;
    if (relay.down) {
      res.writeHead(503).end();
      return;
    }
    void fetch(`http://127.0.0.1:${targetPort()}${req.url ?? '/'}`).then(
      async (upstream) => {
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(await upstream.text());
      },
      () => res.writeHead(502).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  relay.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return relay;
}

describe('JWKS publication and key rotation', () => {
  const keyA = keyPair();
  const keyB = keyPair();
  const stranger = keyPair();
  let stack: Stack;
  let relay: JwksRelay;
  let gateway: GatewayServer;
  let gatewayUrl: string;
  const warnings: Array<Record<string, unknown>> = [];
  let aliceId: string;
  let tokenA: string;

  const usersJwksUrl = () => `http://127.0.0.1:${stack.subgraphs.users.port}/.well-known/jwks.json`;

  async function post<TData>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ): Promise<{ status: number; headers: Headers; body: GraphQLBody<TData> }> {
    const res = await fetch(gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as never };
  }

  async function login(): Promise<string> {
    const res = await post<{ login: { accessToken: string; user: { id: string } } }>(
      'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken user { id } } }',
      { u: 'alice', p: 'alice-password' },
    );
    const accessToken = res.body.data?.login.accessToken;
    if (!accessToken) throw new Error(`login failed: ${JSON.stringify(res.body.errors)}`);
    return accessToken;
  }

  async function expectAccepted(token: string): Promise<void> {
    const res = await post<{ me: { id: string } }>(ME, {}, token);
    expect(res.status).toBe(200);
    expect(res.body.data?.me.id).toBe(aliceId);
  }

  /** The same refusal as any other invalid token (see tokens.test.ts). */
  async function expectRefused(token: string): Promise<void> {
    stack.resetSql();
    const res = await post(ME, {}, token);
    expect(res.status).toBe(401);
    expect(codesOf(res.body)).toEqual(['UNAUTHENTICATED']);
    expect(res.body.errors?.[0]?.message).toBe('Invalid access token');
    expect(res.body.data ?? null).toBeNull();
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    for (const subgraph of Object.values(stack.subgraphs)) expect(subgraph.sql).toEqual([]);
  }

  /** A token with alice's claims as the users subgraph makes them, signed by `key`. */
  function forge(key: jwt.Secret, options: { kid?: string; algorithm?: jwt.Algorithm } = {}) {
    const algorithm = options.algorithm ?? 'ES256';
    return jwt.sign({ role: 'ADMIN' }, key, {
      algorithm,
      issuer: 'fedstack',
      audience: 'fedstack-api',
      subject: aliceId,
      expiresIn: 300,
      ...(options.kid === undefined ? {} : { keyid: options.kid }),
      header: { alg: algorithm, typ: 'at+jwt' },
    });
  }

  /** Restarts the users subgraph on its port and database with `env` over the stack's. */
  async function restartUsers(env: Record<string, string | undefined>): Promise<void> {
    const running = stack.subgraphs.users;
    await running.server.stop();
    const config = usersSubgraph.readConfig({ ...stack.env, ...env });
    const logger = createLogger({ service: 'users', level: 'silent', format: 'json' });
    // Recorded as the stack records it, but for the revocation feed the stack's own gateway polls.
    running.db = await openSubgraphDatabase(config, (statement) => {
      if (!/\bFROM [`"]?revocations\b/i.test(statement)) running.sql.push(statement);
    });
    running.server = await usersSubgraph.createServer({ config, db: running.db, logger });
    await running.server.listen(running.port, '127.0.0.1');
  }

  async function jwks(): Promise<Jwks> {
    return (await (await fetch(usersJwksUrl())).json()) as Jwks;
  }

  beforeAll(async () => {
    stack = await startStack({
      env: { JWT_PRIVATE_KEY: keyA.privatePem, JWT_PUBLIC_KEY: keyA.publicPem },
    });
    relay = await startRelay(() => stack.subgraphs.users.port);
    const config = readGatewayConfig({
      ...stack.env,
      JWT_PUBLIC_KEY: undefined,
      JWT_JWKS_URL: relay.url,
      JWT_JWKS_CACHE_MAX_AGE_MS: String(CACHE_MAX_AGE_MS),
      JWT_JWKS_REQUESTS_PER_MINUTE: '100',
      // The users subgraph restarts below; its revocation feed is not what this suite checks.
      TOKEN_REVOCATION_SUBGRAPH: 'none',
    });
    gateway = await createGatewayServer(config, {
      logger: createLogger({
        service: 'gateway',
        level: 'warn',
        format: 'json',
        destination: {
          write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>),
        },
      }),
    });
    gatewayUrl = `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}/graphql`;
    aliceId = (await stack.login('alice', 'alice-password')).userId;
  });
  afterAll(async () => {
    await gateway?.stop();
    await relay?.close();
    await stack?.stop();
  });

  it('serves the signing key as a public, cacheable JWKS with its RFC 7638 thumbprint as kid', async () => {
    const res = await fetch(usersJwksUrl());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const body = (await res.json()) as Jwks;
    const { x, y } = keyA.publicKey.export({ format: 'jwk' });
    expect(body.keys).toEqual([
      {
        kty: 'EC',
        crv: 'P-256',
        x,
        y,
        kid: thumbprintOf(keyA.publicKey),
        use: 'sig',
        alg: 'ES256',
      },
    ]);
  });

  it('issues tokens whose kid names that key, verifiable with the published JWK', async () => {
    tokenA = await login();
    const [published] = (await jwks()).keys;
    const decoded = jwt.verify(
      tokenA,
      createPublicKey({ key: published as never, format: 'jwk' }),
      { algorithms: ['ES256'], complete: true },
    );
    expect(decoded.header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(decoded.header.kid).toBe(thumbprintOf(keyA.publicKey));
    expect(decoded.header.kid).toBe(published?.kid);
  });

  it('accepts the users subgraph tokens at a gateway with JWT_JWKS_URL, fetching the JWKS once', async () => {
    const before = relay.fetches;
    for (let i = 0; i < 5; i += 1) await expectAccepted(tokenA);
    expect(relay.fetches - before).toBe(1);
  });

  it('refuses a token without kid, with a kid the JWKS does not hold, or signed by another key', async () => {
    const kidA = thumbprintOf(keyA.publicKey);
    await expectRefused(forge(keyA.privateKey));
    const before = relay.fetches;
    await expectRefused(forge(stranger.privateKey, { kid: thumbprintOf(stranger.publicKey) }));
    // An unknown kid is looked for in a fresh copy of the JWKS before the token is refused.
    expect(relay.fetches - before).toBe(1);
    await expectRefused(forge(stranger.privateKey, { kid: kidA }));
    // Sanity: the same forger with the real key and kid gets in, so each refusal means something.
    await expectAccepted(forge(keyA.privateKey, { kid: kidA }));
  });

  it('refuses alg none and HS256 signed with the public key, even with a known kid', async () => {
    const kidA = thumbprintOf(keyA.publicKey);
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = jwt.decode(forge(keyA.privateKey)) as object;
    await expectRefused(`${encode({ alg: 'none', typ: 'at+jwt', kid: kidA })}.${encode(claims)}.`);
    await expectRefused(forge(keyA.publicPem, { kid: kidA, algorithm: 'HS256' }));
    const jwk = (await jwks()).keys[0];
    await expectRefused(forge(JSON.stringify(jwk), { kid: kidA, algorithm: 'HS256' }));
  });

  it('rotates from key A to key B: both work during the overlap, then only B', async () => {
    await restartUsers({
      JWT_PRIVATE_KEY: keyB.privatePem,
      JWT_PREVIOUS_PUBLIC_KEYS: keyA.publicPem,
    });
    expect((await jwks()).keys.map((key) => key.kid)).toEqual([
      thumbprintOf(keyB.publicKey),
      thumbprintOf(keyA.publicKey),
    ]);
    const tokenB = await login();
    expect(jwt.decode(tokenB, { complete: true })?.header.kid).toBe(thumbprintOf(keyB.publicKey));
    await expectAccepted(tokenB);
    await expectAccepted(tokenA);

    await restartUsers({ JWT_PRIVATE_KEY: keyB.privatePem });
    expect((await jwks()).keys.map((key) => key.kid)).toEqual([thumbprintOf(keyB.publicKey)]);
    await new Promise((resolve) => setTimeout(resolve, CACHE_MAX_AGE_MS + 200));
    await expectRefused(tokenA);
    await expectAccepted(tokenB);
    await expectAccepted(await login());
  });

  it('fails closed for tokens while the JWKS cannot be fetched, with a warning; anonymous requests still work', async () => {
    const token = await login();
    await expectAccepted(token);
    await new Promise((resolve) => setTimeout(resolve, CACHE_MAX_AGE_MS + 200));
    relay.down = true;
    try {
      await expectRefused(token);
      expect(warnings).toContainEqual(
        expect.objectContaining({
          level: 40,
          msg: expect.stringMatching(/JWKS cannot be fetched/),
        }),
      );
      const anonymous = await post<{ __typename: string }>('{ __typename }');
      expect(anonymous.status).toBe(200);
      expect(anonymous.body.data?.__typename).toBe('Query');
    } finally {
      relay.down = false;
    }
    await expectAccepted(token);
  });
});

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '@fedstack/runtime/config';
import { readGatewayConfig } from '../config';
import { composeStubs, ORDERS_SDL, USERS_SDL } from './support/gatewayFixture';
import { generateTestKeys } from './support/tokens';

describe('readGatewayConfig', () => {
  let dir: string;
  let supergraphFile: string;
  const keys = generateTestKeys();
  const secret = randomBytes(32).toString('base64url');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-config-'));
    supergraphFile = join(dir, 'supergraph.graphql');
    writeFileSync(
      supergraphFile,
      composeStubs([
        { name: 'users', typeDefs: USERS_SDL },
        { name: 'orders', typeDefs: ORDERS_SDL },
      ]),
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const base = () => ({
    SUPERGRAPH_FILE: supergraphFile,
    DATA_DIR: join(dir, 'data'),
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    GATEWAY_SIGNING_SECRET: secret,
  });

  function configError(env: Record<string, string | undefined>): string {
    try {
      readGatewayConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  it('applies the documented defaults', () => {
    const config = readGatewayConfig(base());
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 4000,
      supergraphFile,
      subgraphUrls: {},
      signingSecret: secret,
      limits: {
        maxDepth: 10,
        maxAliases: 30,
        maxRootFields: 40,
        maxTokens: 2000,
        maxDirectives: 50,
        maxCost: 50_000,
        costDefaultListSize: 100,
      },
      bodyLimitBytes: 1024 * 1024,
      subgraphTimeoutMs: 10_000,
      maxEntityRepresentations: 1000,
      subgraphResponseLimitBytes: 8 * 1024 * 1024,
      readinessTimeoutMs: 2000,
      corsOrigins: '*',
      logLevel: 'info',
      logFormat: 'json',
    });
    expect(config.jwt).toMatchObject({
      algorithms: ['ES256'],
      issuer: 'fedstack',
      audience: 'fedstack-api',
      clockToleranceSeconds: 5,
    });
    expect(config.jwt.publicKey?.asymmetricKeyType).toBe('ec');
  });

  it('uses the generated development secrets when none are set', () => {
    const dataDir = join(dir, 'dev-data');
    const config = readGatewayConfig({ SUPERGRAPH_FILE: supergraphFile, DATA_DIR: dataDir });
    expect(existsSync(join(dataDir, 'keys', 'jwt-public.pem'))).toBe(true);
    expect(config.signingSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('reads the key from JWT_PUBLIC_KEY_FILE', () => {
    const file = join(dir, 'public.pem');
    writeFileSync(file, keys.publicKeyPem);
    const config = readGatewayConfig({
      ...base(),
      JWT_PUBLIC_KEY: undefined,
      JWT_PUBLIC_KEY_FILE: file,
    });
    expect(config.jwt.publicKey?.equals(keys.publicKey)).toBe(true);
  });

  it('takes routing-URL overrides for the subgraphs the supergraph names', () => {
    const config = readGatewayConfig({
      ...base(),
      USERS_URL: 'http://users.internal:8080/graphql',
      ORDERS_URL: 'https://orders.internal/graphql',
      REVIEWS_URL: 'http://ignored/graphql',
    });
    expect(config.subgraphUrls).toEqual({
      users: 'http://users.internal:8080/graphql',
      orders: 'https://orders.internal/graphql',
    });
  });

  it.each([
    ['USERS_URL', 'not a url'],
    ['ORDERS_URL', 'ftp://orders.internal/graphql'],
  ])('refuses %s=%j', (name, value) => {
    expect(configError({ ...base(), [name]: value })).toMatch(`${name} must be an http(s) URL`);
  });

  it('names SUPERGRAPH_FILE when it is missing or not a supergraph', () => {
    expect(configError({ ...base(), SUPERGRAPH_FILE: join(dir, 'missing.graphql') })).toMatch(
      /^SUPERGRAPH_FILE ".*missing\.graphql" cannot be read/,
    );
    const notSupergraph = join(dir, 'plain.graphql');
    writeFileSync(notSupergraph, 'type Query { a: Int }');
    expect(configError({ ...base(), SUPERGRAPH_FILE: notSupergraph })).toMatch(
      /SUPERGRAPH_FILE .* is not a composed supergraph/,
    );
  });

  it.each(['none', 'HS256', 'ES256,hs512'])('refuses JWT_ALGORITHMS=%s', (algorithms) => {
    expect(configError({ ...base(), JWT_ALGORITHMS: algorithms })).toMatch(
      /JWT_ALGORITHMS must not include "(none|HS256|hs512)"/,
    );
  });

  it('refuses unknown algorithms and algorithms the key cannot verify', () => {
    expect(configError({ ...base(), JWT_ALGORITHMS: 'ES257' })).toMatch(/JWT_ALGORITHMS must be/);
    expect(configError({ ...base(), JWT_ALGORITHMS: 'RS256' })).toMatch(
      /JWT_PUBLIC_KEY is an EC key, which cannot verify RS256/,
    );
    expect(configError({ ...base(), JWT_ALGORITHMS: 'ES384' })).toMatch(/needs secp384r1/);
  });

  it('refuses a private key or a non-key as JWT_PUBLIC_KEY', () => {
    const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(configError({ ...base(), JWT_PUBLIC_KEY: privatePem })).toMatch(
      'JWT_PUBLIC_KEY must be a public key, got a private key',
    );
    expect(configError({ ...base(), JWT_PUBLIC_KEY: 'hello' })).toMatch(
      /JWT_PUBLIC_KEY must be a PEM-encoded public key/,
    );
  });

  it('requires the key and the signing secret in production, and no CORS origin by default', () => {
    const production = { ...base(), NODE_ENV: 'production' };
    expect(configError({ ...production, JWT_PUBLIC_KEY: undefined })).toMatch(
      'JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE is required when NODE_ENV=production',
    );
    expect(configError({ ...production, GATEWAY_SIGNING_SECRET: undefined })).toMatch(
      'GATEWAY_SIGNING_SECRET or GATEWAY_SIGNING_SECRET_FILE is required',
    );
    expect(readGatewayConfig(production).corsOrigins).toEqual([]);
    expect(configError({ ...production, CORS_ORIGINS: '*' })).toMatch(
      'CORS_ORIGINS must not be * when NODE_ENV=production',
    );
    expect(
      readGatewayConfig({ ...production, CORS_ORIGINS: 'https://app.example.com' }).corsOrigins,
    ).toEqual(['https://app.example.com']);
  });

  it('takes keys from JWT_JWKS_URL instead of a public key file when it is set', () => {
    expect(readGatewayConfig(base()).jwt.jwks).toBeUndefined();
    const jwksUrl = 'http://users:4001/.well-known/jwks.json';
    const fromJwks = { ...base(), JWT_PUBLIC_KEY: undefined, JWT_JWKS_URL: jwksUrl };
    expect(readGatewayConfig(fromJwks).jwt).toMatchObject({
      publicKey: undefined,
      jwks: { url: jwksUrl, cacheMaxAgeMs: 600_000, requestsPerMinute: 10, timeoutMs: 5000 },
    });
    expect(
      readGatewayConfig({ ...fromJwks, JWT_JWKS_CACHE_MAX_AGE_MS: '60000' }).jwt.jwks
        ?.cacheMaxAgeMs,
    ).toBe(60_000);
    // Production needs no public key then, but still the signing secret.
    expect(readGatewayConfig({ ...fromJwks, NODE_ENV: 'production' }).jwt.jwks?.url).toBe(jwksUrl);
    expect(configError({ ...fromJwks, JWT_PUBLIC_KEY: keys.publicKeyPem })).toMatch(
      'JWT_JWKS_URL and JWT_PUBLIC_KEY(_FILE) are both set',
    );
    expect(configError({ ...fromJwks, JWT_JWKS_URL: 'ftp://users/jwks.json' })).toMatch(
      /JWT_JWKS_URL must be an http\(s\) URL/,
    );
    expect(configError({ ...fromJwks, JWT_JWKS_CACHE_MAX_AGE_MS: '10' })).toMatch(
      /JWT_JWKS_CACHE_MAX_AGE_MS/,
    );
  });

  it('refuses a short signing secret', () => {
    expect(configError({ ...base(), GATEWAY_SIGNING_SECRET: 'short' })).toMatch(
      'GATEWAY_SIGNING_SECRET must be at least 32 characters',
    );
  });

  it('reads CORS origins and refuses what is not an origin', () => {
    expect(
      readGatewayConfig({
        ...base(),
        CORS_ORIGINS: 'https://app.example.com, http://localhost:3000',
      }).corsOrigins,
    ).toEqual(['https://app.example.com', 'http://localhost:3000']);
    expect(configError({ ...base(), CORS_ORIGINS: 'https://app.example.com/path' })).toMatch(
      /^CORS_ORIGINS must be/,
    );
  });

  it.each<[string, boolean | number | string[]]>([
    ['false', false],
    ['true', true],
    ['2', 2],
    [
      'loopback, 10.0.0.0/8, fd00::/8, 192.0.2.7',
      ['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.7'],
    ],
  ])('reads TRUST_PROXY=%s', (value, expected) => {
    expect(readGatewayConfig({ ...base(), TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each(['yes', '10.0.0.0/33', 'example.com'])('refuses TRUST_PROXY=%s', (value) => {
    expect(configError({ ...base(), TRUST_PROXY: value })).toMatch(/^TRUST_PROXY must be/);
  });

  it('trusts no proxy by default', () => {
    expect(readGatewayConfig(base()).trustProxy).toBe(false);
  });

  it.each([
    ['GATEWAY_PORT', '70000'],
    ['MAX_DEPTH', 'ten'],
    ['BODY_LIMIT_BYTES', '-1'],
    ['SUBGRAPH_TIMEOUT_MS', '0'],
    ['LOG_FORMAT', 'xml'],
    ['NODE_ENV', 'staging'],
  ])('names %s when its value %j is wrong', (name, value) => {
    expect(configError({ ...base(), [name]: value })).toMatch(new RegExp(`^${name} must be`));
  });

  it('reads REDIS_URL and SHUTDOWN_DRAIN_DELAY_MS, and shares nothing and waits for nothing by default', () => {
    expect(readGatewayConfig(base())).toMatchObject({
      redisUrl: undefined,
      shutdownDrainDelayMs: 0,
    });
    const url = 'rediss://:secret@cache.example.com:6380';
    expect(
      readGatewayConfig({ ...base(), REDIS_URL: url, SHUTDOWN_DRAIN_DELAY_MS: '5000' }),
    ).toMatchObject({ redisUrl: url, shutdownDrainDelayMs: 5000 });
    // Never echoed: the URL may hold a password.
    expect(configError({ ...base(), REDIS_URL: 'http://:secret@cache.example.com' })).toBe(
      'REDIS_URL must be a redis:// or rediss:// URL',
    );
    expect(configError({ ...base(), SHUTDOWN_DRAIN_DELAY_MS: '-1' })).toMatch(
      /^SHUTDOWN_DRAIN_DELAY_MS must be/,
    );
  });
});

import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import {
  ConfigError,
  envReader,
  readBoolean,
  readDataDir,
  readMetricsSettings,
  readSecret,
  requireProductionSecrets,
  type Env,
  type EnvReader,
  type NodeEnv,
} from '@fedstack/runtime/config';
import { readSigningSecret } from '@fedstack/envelope/signingSecret';
import type { OperationNames } from '@fedstack/runtime/metrics';
import { readRedisUrl } from '@fedstack/runtime/redis';
import {
  httpUrlOf,
  readIssuersFile,
  SUPPORTED_JWT_ALGORITHMS,
  type ExternalIssuerSettings,
  type JwtAlgorithm,
} from './auth/issuerSettings';
import { subgraphEndpointsOf } from './subgraphEndpoints';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

export { SUPPORTED_JWT_ALGORITHMS, type JwtAlgorithm };

/**
 * Where the gateway takes the issuer's public keys from (`JWT_JWKS_URL`): the JWKS the users
 * subgraph publishes, the key for each token chosen by its `kid`.
 */
export interface JwksSettings {
  url: string;
  /** How long a fetched key is kept before the JWKS is asked again (`JWT_JWKS_CACHE_MAX_AGE_MS`). */
  cacheMaxAgeMs: number;
  /** JWKS fetches allowed per minute for keys not in the cache (`JWT_JWKS_REQUESTS_PER_MINUTE`). */
  requestsPerMinute: number;
  /** How long one JWKS fetch may take (`JWT_JWKS_TIMEOUT_MS`). */
  timeoutMs: number;
}

/** How the gateway checks access tokens. */
export interface JwtSettings {
  /** The one key of `JWT_PUBLIC_KEY(_FILE)`; undefined when the keys come from `jwks`. */
  publicKey: KeyObject | undefined;
  /** The JWKS the keys come from (`JWT_JWKS_URL`); undefined: the public key file. */
  jwks: JwksSettings | undefined;
  algorithms: JwtAlgorithm[];
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  /** Accept the users subgraph's own tokens (`JWT_BUILTIN_ISSUER`, default true). */
  builtin: boolean;
  /** External OIDC issuers (`JWT_ISSUERS_FILE`); empty: none. */
  issuers: ExternalIssuerSettings[];
  /** How external callers are linked to local accounts (`IDENTITY_LINK_*`). */
  identityLinks: { subgraph: string; maxEntries: number; ttlMs: number };
}

/**
 * The revocation feed: the subgraph that issues tokens publishes the logins and accounts whose
 * access tokens no longer count, and the gateway polls it.
 */
export interface RevocationSettings {
  /** The subgraph serving `GET /revocations` (`TOKEN_REVOCATION_SUBGRAPH`); undefined: none. */
  subgraph: string | undefined;
  /** How often the feed is polled; with the poll's own time, the revocation window. */
  pollIntervalMs: number;
  /**
   * Refuse every access token while the feed has not answered for `staleAfterMs`
   * (`TOKEN_REVOCATION_FAIL_CLOSED`); by default tokens keep working, with a warning.
   */
  failClosed: boolean;
  /** How long without an answer makes the feed stale. */
  staleAfterMs: number;
}

/** Per-operation limits; an operation over any of them is refused before it is planned. */
export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  /** Fields selected on the root type, aliases included. */
  maxRootFields: number;
  maxTokens: number;
  maxDirectives: number;
  /** Estimated cost, lists multiplied by their size (`costOf`). */
  maxCost: number;
  /** Items the cost estimate assumes for a list field the supergraph gives no `@listSize`. */
  costDefaultListSize: number;
}

export interface GatewayConfig {
  nodeEnv: NodeEnv;
  port: number;
  /** Absolute path of the composed supergraph. */
  supergraphFile: string;
  /** Routing-URL overrides from `<NAME>_URL`, by subgraph name; absent names use the supergraph's. */
  subgraphUrls: Readonly<Record<string, string>>;
  dataDir: string;
  jwt: JwtSettings;
  signingSecret: string;
  limits: OperationLimits;
  /** Root mutation fields of which one operation may hold at most one (`CREDENTIAL_FIELDS`). */
  credentialFields: string[];
  bodyLimitBytes: number;
  subgraphTimeoutMs: number;
  /** Entity representations one subgraph fetch (`_entities`) may carry. */
  maxEntityRepresentations: number;
  /** Bytes one subgraph answer may have; a longer one fails that fetch. */
  subgraphResponseLimitBytes: number;
  /** How the gateway follows the revocation feed of the subgraph that issues tokens. */
  revocation: RevocationSettings;
  /**
   * `REDIS_URL`: where the state replicas share lives (the revocation stream, the persisted-query
   * cache); unset, each process keeps its own in memory.
   */
  redisUrl: string | undefined;
  /**
   * `SHUTDOWN_DRAIN_DELAY_MS`: after SIGTERM, how long the gateway keeps serving while
   * `/health/ready` answers 503, so that a load balancer stops sending it requests first.
   */
  shutdownDrainDelayMs: number;
  /** How many times a subgraph query (never a mutation) is retried after a connection failure. */
  subgraphQueryRetries: number;
  /**
   * Send a subgraph query once while the same caller's identical query to the same subgraph is in
   * flight, and answer every waiter from it (`SUBGRAPH_DEDUP`); never for mutations.
   */
  subgraphDedup: boolean;
  /** Gateway processes serving the port (`GATEWAY_WORKERS`); above 1, `node:cluster` workers. */
  workers: number;
  readinessTimeoutMs: number;
  /** Serve Prometheus metrics (`METRICS_ENABLED`; in production only with `METRICS_PORT`). */
  metricsEnabled: boolean;
  /** A separate port for `/metrics`; undefined serves it on the main port. */
  metricsPort: number | undefined;
  /** Operation names that metrics label by name (`METRICS_OPERATIONS`); others are `other`. */
  metricsOperations: OperationNames;
  /** Let @apollo/gateway send its usage telemetry to Apollo (`APOLLO_TELEMETRY_DISABLED=false`). */
  apolloTelemetry: boolean;
  /** `'*'` allows every origin; an empty list sends no CORS headers. */
  corsOrigins: '*' | string[];
  /** Express's `trust proxy`: which proxies' `X-Forwarded-For` names the client. */
  trustProxy: boolean | number | string[];
  logLevel: string;
  logFormat: 'json' | 'pretty';
  /**
   * What runs query plans (`GATEWAY_EXECUTOR`): `apollo`, @apollo/gateway's executor, or `fast`,
   * the gateway's own (`executor/FastExecutorGateway`), which hands what it does not support to
   * Apollo's.
   */
  executor: 'apollo' | 'fast';
}

const ALGORITHM_KEY_TYPES: Record<string, readonly string[]> = {
  ES: ['ec'],
  RS: ['rsa'],
  PS: ['rsa', 'rsa-pss'],
};

const EC_CURVES: Record<string, string> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
};

function readAlgorithms(env: EnvReader): JwtAlgorithm[] {
  const requested = env.list('JWT_ALGORITHMS', ['ES256']);
  if (requested.length === 0)
    throw new ConfigError('JWT_ALGORITHMS must name at least one algorithm');
  return requested.map((name) => {
    if (/^none$/i.test(name) || /^HS/i.test(name)) {
      throw new ConfigError(
        `JWT_ALGORITHMS must not include "${name}": the gateway verifies with a public key only`,
      );
    }
    if (!(SUPPORTED_JWT_ALGORITHMS as readonly string[]).includes(name)) {
      throw new ConfigError(
        `JWT_ALGORITHMS must be a comma list of ${SUPPORTED_JWT_ALGORITHMS.join(', ')}, got "${name}"`,
      );
    }
    return name as JwtAlgorithm;
  });
}

function readPublicKey(pem: string, variable: string, algorithms: JwtAlgorithm[]): KeyObject {
  // The gateway only verifies; holding the issuer's private key would let it mint tokens.
  if (/PRIVATE KEY/.test(pem)) {
    throw new ConfigError(`${variable} must be a public key, got a private key`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new ConfigError(
      `${variable} must be a PEM-encoded public key (${(error as Error).message})`,
    );
  }
  for (const algorithm of algorithms) {
    const keyTypes = ALGORITHM_KEY_TYPES[algorithm.slice(0, 2)] ?? [];
    if (!keyTypes.includes(key.asymmetricKeyType ?? '')) {
      throw new ConfigError(
        `${variable} is an ${key.asymmetricKeyType?.toUpperCase()} key, which cannot verify ${algorithm} (JWT_ALGORITHMS)`,
      );
    }
    const curve = EC_CURVES[algorithm];
    if (curve && key.asymmetricKeyDetails?.namedCurve !== curve) {
      throw new ConfigError(
        `${variable} is on curve ${key.asymmetricKeyDetails?.namedCurve}, but ${algorithm} needs ${curve}`,
      );
    }
  }
  return key;
}

function readJwks(env: EnvReader): JwksSettings | undefined {
  const raw = env.optional('JWT_JWKS_URL');
  if (raw === undefined) return undefined;
  // Two sources of keys would leave it unclear which one a token was checked against.
  if (env.optional('JWT_PUBLIC_KEY') || env.optional('JWT_PUBLIC_KEY_FILE')) {
    throw new ConfigError(
      'JWT_JWKS_URL and JWT_PUBLIC_KEY(_FILE) are both set; set one source of public keys',
    );
  }
  const url = httpUrlOf(raw);
  if (!url) {
    throw new ConfigError(
      `JWT_JWKS_URL must be an http(s) URL like http://users:4001/.well-known/jwks.json, got "${raw}"`,
    );
  }
  return {
    url: url.toString(),
    cacheMaxAgeMs: env.int('JWT_JWKS_CACHE_MAX_AGE_MS', 600_000, { min: 1000, max: 86_400_000 }),
    requestsPerMinute: env.int('JWT_JWKS_REQUESTS_PER_MINUTE', 10, { min: 1, max: 1000 }),
    timeoutMs: env.int('JWT_JWKS_TIMEOUT_MS', 5000, { min: 100, max: 60_000 }),
  };
}

function readSupergraph(env: EnvReader): { file: string; sdl: string } {
  const file = resolve(env.string('SUPERGRAPH_FILE', './supergraph.graphql'));
  try {
    return { file, sdl: readFileSync(file, 'utf8') };
  } catch (error) {
    throw new ConfigError(
      `SUPERGRAPH_FILE "${file}" cannot be read (${(error as Error).message}); run npm run compose`,
    );
  }
}

function readSubgraphUrls(env: EnvReader, file: string, sdl: string): Record<string, string> {
  let names: string[];
  try {
    names = subgraphEndpointsOf(sdl).map((endpoint) => endpoint.name);
  } catch (error) {
    throw new ConfigError(
      `SUPERGRAPH_FILE "${file}" is not a composed supergraph: ${(error as Error).message}`,
    );
  }
  const urls: Record<string, string> = {};
  for (const name of names) {
    const variable = subgraphVariables(name).url;
    const value = env.optional(variable);
    if (value === undefined) continue;
    const url = httpUrlOf(value);
    if (!url) throw new ConfigError(`${variable} must be an http(s) URL, got "${value}"`);
    urls[name] = url.toString();
  }
  return urls;
}

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

function readCredentialFields(env: EnvReader): string[] {
  const fields = env.list('CREDENTIAL_FIELDS', ['login', 'register', 'refreshToken']);
  const wrong = fields.find((field) => !GRAPHQL_NAME.test(field));
  if (wrong !== undefined) {
    throw new ConfigError(
      `CREDENTIAL_FIELDS must be a comma list of mutation field names like login,register, got "${wrong}"`,
    );
  }
  return fields;
}

function readRevocationSubgraph(env: EnvReader): string | undefined {
  const name = env.string('TOKEN_REVOCATION_SUBGRAPH', 'users');
  if (name === 'none') return undefined;
  if (!GRAPHQL_NAME.test(name)) {
    throw new ConfigError(
      `TOKEN_REVOCATION_SUBGRAPH must be a subgraph name from the supergraph or none, got "${name}"`,
    );
  }
  return name;
}

function readCorsOrigins(env: EnvReader, production: boolean): '*' | string[] {
  const origins = env.list('CORS_ORIGINS', production ? [] : ['*']);
  if (origins.includes('*')) {
    // Any site could then read answers in its visitors' browsers; production names its origins.
    if (production) {
      throw new ConfigError(
        'CORS_ORIGINS must not be * when NODE_ENV=production; list the allowed origins',
      );
    }
    return '*';
  }
  return origins.map((origin) => {
    if (httpUrlOf(origin)?.origin !== origin) {
      throw new ConfigError(
        `CORS_ORIGINS must be * or a comma list of origins like https://app.example.com, got "${origin}"`,
      );
    }
    return origin;
  });
}

const NAMED_SUBNETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrSubnet(entry: string): boolean {
  if (NAMED_SUBNETS.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

function readTrustProxy(env: EnvReader): boolean | number | string[] {
  const raw = env.optional('TRUST_PROXY');
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = env.list('TRUST_PROXY', []);
  const wrong = entries.find((entry) => !isAddressOrSubnet(entry));
  if (wrong !== undefined) {
    throw new ConfigError(
      `TRUST_PROXY must be true, false, a hop count or a comma list of addresses, subnets, loopback, linklocal or uniquelocal, got "${wrong}"`,
    );
  }
  return entries;
}

/**
 * Reads and validates the gateway's settings; the only place that looks at the environment.
 * Throws a `ConfigError` naming the variable at fault.
 *
 * Defaults: `NODE_ENV` development, `GATEWAY_PORT` 4000, `SUPERGRAPH_FILE` ./supergraph.graphql,
 * `<SUBGRAPH>_URL` the supergraph's routing URL, `DATA_DIR` ./data, `JWT_ISSUER` fedstack,
 * `JWT_AUDIENCE` fedstack-api, `JWT_ALGORITHMS` ES256, `JWT_CLOCK_TOLERANCE_SECONDS` 5,
 * `JWT_JWKS_URL` unset (the public key file), `JWT_JWKS_CACHE_MAX_AGE_MS` 600000,
 * `JWT_JWKS_REQUESTS_PER_MINUTE` 10, `JWT_JWKS_TIMEOUT_MS` 5000,
 * `MAX_DEPTH` 10, `MAX_ALIASES` 30, `MAX_ROOT_FIELDS` 40, `MAX_TOKENS` 2000,
 * `MAX_DIRECTIVES` 50, `MAX_COST` 50000, `COST_DEFAULT_LIST_SIZE` 100,
 * `MAX_ENTITY_REPRESENTATIONS` 1000, `SUBGRAPH_RESPONSE_LIMIT_BYTES` 8 MiB, `CREDENTIAL_FIELDS` login,register,refreshToken,
 * `BODY_LIMIT_BYTES` 1 MiB, `SUBGRAPH_TIMEOUT_MS` 10000, `SUBGRAPH_QUERY_RETRIES` 1,
 * `SUBGRAPH_DEDUP` true, `GATEWAY_WORKERS` 1,
 * `TOKEN_REVOCATION_SUBGRAPH` users (`none`: no feed), `TOKEN_REVOCATION_POLL_MS` 5000,
 * `TOKEN_REVOCATION_STALE_MS` 30000, `TOKEN_REVOCATION_FAIL_CLOSED` false,
 * `REDIS_URL` unset (nothing shared), `SHUTDOWN_DRAIN_DELAY_MS` 0,
 * `READINESS_TIMEOUT_MS` 2000, `METRICS_PORT` unset (the main port), `METRICS_ENABLED` true
 * (production: only with `METRICS_PORT`), `METRICS_OPERATIONS` * (production: none),
 * `APOLLO_TELEMETRY_DISABLED` true,
 * `CORS_ORIGINS` * in development and none in production, `TRUST_PROXY` false, `LOG_LEVEL` info,
 * `LOG_FORMAT` json, `GATEWAY_EXECUTOR` fast.
 * `JWT_PUBLIC_KEY(_FILE)` and `GATEWAY_SIGNING_SECRET(_FILE)` come from the generated development
 * set in `DATA_DIR/keys` when unset, and are required in production; with `JWT_JWKS_URL`,
 * `JWT_PUBLIC_KEY(_FILE)` is neither read nor required, nor with `JWT_BUILTIN_ISSUER=false`.
 * `JWT_ISSUERS_FILE` unset (no external issuers), `IDENTITY_LINK_SUBGRAPH` users,
 * `IDENTITY_LINK_CACHE_SIZE` 10000, `IDENTITY_LINK_CACHE_TTL_MS` 60000.
 */
export function readGatewayConfig(rawEnv: Env = process.env): GatewayConfig {
  const env = envReader(rawEnv);
  const nodeEnv = env.oneOf(
    'NODE_ENV',
    ['development', 'production', 'test'] as const,
    'development',
  );
  const production = nodeEnv === 'production';
  const jwks = readJwks(env);
  const builtin = readBoolean(env, 'JWT_BUILTIN_ISSUER', true);
  const issuer = env.string('JWT_ISSUER', 'fedstack');
  const issuersFile = env.optional('JWT_ISSUERS_FILE');
  const issuers = issuersFile
    ? readIssuersFile(resolve(issuersFile), builtin ? issuer : undefined)
    : [];
  if (!builtin && issuers.length === 0) {
    throw new ConfigError('JWT_BUILTIN_ISSUER=false needs external issuers in JWT_ISSUERS_FILE');
  }
  requireProductionSecrets(
    env,
    nodeEnv,
    jwks || !builtin ? ['GATEWAY_SIGNING_SECRET'] : ['JWT_PUBLIC_KEY', 'GATEWAY_SIGNING_SECRET'],
  );
  const { file: supergraphFile, sdl } = readSupergraph(env);
  const subgraphUrls = readSubgraphUrls(env, supergraphFile, sdl);

  // Production takes its secrets from the environment, so it needs no writable DATA_DIR.
  const dataDir = production ? resolve(env.string('DATA_DIR', './data')) : readDataDir(env);
  const algorithms = readAlgorithms(env);
  let publicKey: KeyObject | undefined;
  if (!jwks && builtin) {
    const publicKeyPem = readSecret(env, 'JWT_PUBLIC_KEY', {
      nodeEnv,
      dataDir,
      devFile: 'jwtPublicKey',
    });
    publicKey = readPublicKey(
      publicKeyPem.value,
      publicKeyPem.source === 'file' ? 'JWT_PUBLIC_KEY_FILE' : 'JWT_PUBLIC_KEY',
      algorithms,
    );
  }
  const signingSecret = readSigningSecret(env, nodeEnv, dataDir);

  return {
    nodeEnv,
    port: env.int('GATEWAY_PORT', 4000, { min: 0, max: 65535 }),
    supergraphFile,
    subgraphUrls,
    dataDir,
    jwt: {
      publicKey,
      jwks,
      algorithms,
      issuer,
      audience: env.string('JWT_AUDIENCE', 'fedstack-api'),
      clockToleranceSeconds: env.int('JWT_CLOCK_TOLERANCE_SECONDS', 5, { min: 0, max: 300 }),
      builtin,
      issuers,
      identityLinks: {
        subgraph: env.string('IDENTITY_LINK_SUBGRAPH', 'users'),
        maxEntries: env.int('IDENTITY_LINK_CACHE_SIZE', 10_000, { min: 1, max: 1_000_000 }),
        ttlMs: env.int('IDENTITY_LINK_CACHE_TTL_MS', 60_000, { min: 0, max: 3_600_000 }),
      },
    },
    signingSecret,
    limits: {
      maxDepth: env.int('MAX_DEPTH', 10, { min: 1, max: 1000 }),
      maxAliases: env.int('MAX_ALIASES', 30, { min: 0, max: 10_000 }),
      maxRootFields: env.int('MAX_ROOT_FIELDS', 40, { min: 1, max: 10_000 }),
      maxTokens: env.int('MAX_TOKENS', 2000, { min: 10, max: 1_000_000 }),
      maxDirectives: env.int('MAX_DIRECTIVES', 50, { min: 0, max: 10_000 }),
      maxCost: env.int('MAX_COST', 50_000, { min: 1, max: 1_000_000_000 }),
      costDefaultListSize: env.int('COST_DEFAULT_LIST_SIZE', 100, { min: 1, max: 1_000_000 }),
    },
    credentialFields: readCredentialFields(env),
    bodyLimitBytes: env.int('BODY_LIMIT_BYTES', 1024 * 1024, { min: 1024, max: 100 * 1024 * 1024 }),
    subgraphTimeoutMs: env.int('SUBGRAPH_TIMEOUT_MS', 10_000, { min: 1, max: 600_000 }),
    maxEntityRepresentations: env.int('MAX_ENTITY_REPRESENTATIONS', 1000, {
      min: 1,
      max: 1_000_000,
    }),
    subgraphResponseLimitBytes: env.int('SUBGRAPH_RESPONSE_LIMIT_BYTES', 8 * 1024 * 1024, {
      min: 1024,
      max: 1024 * 1024 * 1024,
    }),
    revocation: {
      subgraph: readRevocationSubgraph(env),
      pollIntervalMs: env.int('TOKEN_REVOCATION_POLL_MS', 5000, { min: 100, max: 30_000 }),
      failClosed: readBoolean(env, 'TOKEN_REVOCATION_FAIL_CLOSED', false),
      staleAfterMs: env.int('TOKEN_REVOCATION_STALE_MS', 30_000, { min: 1000, max: 3_600_000 }),
    },
    redisUrl: readRedisUrl(env),
    shutdownDrainDelayMs: env.int('SHUTDOWN_DRAIN_DELAY_MS', 0, { min: 0, max: 600_000 }),
    subgraphQueryRetries: env.int('SUBGRAPH_QUERY_RETRIES', 1, { min: 0, max: 1 }),
    subgraphDedup: readBoolean(env, 'SUBGRAPH_DEDUP', true),
    workers: env.int('GATEWAY_WORKERS', 1, { min: 1, max: 64 }),
    readinessTimeoutMs: env.int('READINESS_TIMEOUT_MS', 2000, { min: 1, max: 60_000 }),
    ...readMetricsSettings(env, nodeEnv),
    apolloTelemetry: !readBoolean(env, 'APOLLO_TELEMETRY_DISABLED', true),
    corsOrigins: readCorsOrigins(env, production),
    trustProxy: readTrustProxy(env),
    logLevel: env.oneOf(
      'LOG_LEVEL',
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const,
      'info',
    ),
    logFormat: env.oneOf('LOG_FORMAT', ['json', 'pretty'] as const, 'json'),
    executor: env.oneOf('GATEWAY_EXECUTOR', ['apollo', 'fast'] as const, 'fast'),
  };
}

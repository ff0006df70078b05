import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readSigningSecret } from '@fedstack/envelope/signingSecret';
import {
  ConfigError,
  envReader,
  readDataDir,
  readMetricsSettings,
  requireProductionSecrets,
  type Env,
  type EnvReader,
  type NodeEnv,
} from '@fedstack/runtime/config';
import type { OperationNames } from '@fedstack/runtime/metrics';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

/** The settings every subgraph shares. */
export interface SubgraphBaseConfig {
  service: string;
  nodeEnv: NodeEnv;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** How to connect to PostgreSQL; undefined on SQLite (no `<NAME>_DATABASE_URL`). */
  postgres: PostgresSettings | undefined;
  signingSecret: string;
  signatureMaxAgeMs: number;
  logLevel: string;
  logFormat: 'json' | 'pretty';
  bodyLimitBytes: number;
  /** Serve Prometheus metrics at `/metrics` (`METRICS_ENABLED`, see `readMetricsSettings`). */
  metricsEnabled: boolean;
  /** A separate port for `/metrics` (`METRICS_PORT`); undefined serves it on the main port. */
  metricsPort: number | undefined;
  /** Operation names that metrics label by name (`METRICS_OPERATIONS`). */
  metricsOperations: OperationNames;
  /**
   * Test hook (`TEST_SUBGRAPH_DELAY_MS`, default 0): delays every GraphQL request by this many ms,
   * so fault-injection tests can hold a request in flight. Refused unless `NODE_ENV=test`.
   */
  testDelayMs: number;
}

/** How a subgraph talks to PostgreSQL; the same for every subgraph of a process. */
export interface PostgresSettings {
  /** Most connections the pool opens (`DATABASE_POOL_MAX`, default 10). */
  poolMax: number;
  /**
   * PostgreSQL's `statement_timeout` on every connection (`DATABASE_STATEMENT_TIMEOUT_MS`, default
   * 30 000; 0 turns it off).
   */
  statementTimeoutMs: number;
  /**
   * `DATABASE_SSL`: `disable` (default), `require` (encrypted, certificate unchecked) or
   * `verify-full` (chain and host name checked).
   */
  ssl: 'disable' | 'require' | 'verify-full';
  /**
   * With `verify-full`: PEM certificates the server's must chain to (`DATABASE_SSL_CA_FILE`);
   * unset: the system's.
   */
  sslCa: string | undefined;
}

/**
 * Reads `DATABASE_POOL_MAX`, `DATABASE_STATEMENT_TIMEOUT_MS`, `DATABASE_SSL` and
 * `DATABASE_SSL_CA_FILE` (read now, so that an unreadable file fails the start).
 */
export function readPostgresSettings(env: EnvReader): PostgresSettings {
  const ssl = env.oneOf('DATABASE_SSL', ['disable', 'require', 'verify-full'] as const, 'disable');
  const caFile = env.optional('DATABASE_SSL_CA_FILE');
  let sslCa: string | undefined;
  if (caFile !== undefined) {
    // `require` checks no certificate, so a CA given with it would be silently unused.
    if (ssl !== 'verify-full') {
      throw new ConfigError(
        `DATABASE_SSL_CA_FILE needs DATABASE_SSL=verify-full, got DATABASE_SSL=${ssl}`,
      );
    }
    try {
      sslCa = readFileSync(resolve(caFile), 'utf8');
    } catch (error) {
      throw new ConfigError(
        `DATABASE_SSL_CA_FILE "${caFile}" cannot be read (${(error as Error).message})`,
      );
    }
    if (!sslCa.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError(`DATABASE_SSL_CA_FILE "${caFile}" holds no PEM certificate`);
    }
  }
  return {
    poolMax: env.int('DATABASE_POOL_MAX', 10, { min: 1, max: 1000 }),
    statementTimeoutMs: env.int('DATABASE_STATEMENT_TIMEOUT_MS', 30_000, {
      min: 0,
      max: 2_147_483_647,
    }),
    ssl,
    sslCa,
  };
}

/**
 * Where a subgraph's database is: `DATA_DIR` (created 0700) and `<SERVICE>_DATABASE_URL`, with
 * the PostgreSQL connection settings when there is a URL (SQLite ignores them).
 */
export function readDatabaseLocation(
  env: EnvReader,
  service: string,
): { dataDir: string; databaseUrl: string | undefined; postgres: PostgresSettings | undefined } {
  const variable = subgraphVariables(service).databaseUrl;
  const dataDir = readDataDir(env);
  const databaseUrl = env.optional(variable);
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(
      `${variable} must be a postgres:// URL, got "${databaseUrl.split('@').pop()}"`,
    );
  }
  return { dataDir, databaseUrl, postgres: databaseUrl ? readPostgresSettings(env) : undefined };
}

/**
 * Reads the shared subgraph settings; `service` is the subgraph's name, `defaultPort` its port.
 * `secrets` names the subgraph's own production secrets besides `GATEWAY_SIGNING_SECRET`, so a
 * production start names every missing one at once.
 */
export function readSubgraphBaseConfig(
  rawEnv: Env,
  service: string,
  defaultPort: number,
  options: { secrets?: readonly string[] } = {},
): SubgraphBaseConfig {
  const env = envReader(rawEnv);
  const nodeEnv = env.oneOf(
    'NODE_ENV',
    ['development', 'production', 'test'] as const,
    'development',
  );
  requireProductionSecrets(env, nodeEnv, ['GATEWAY_SIGNING_SECRET', ...(options.secrets ?? [])]);
  const { dataDir, databaseUrl, postgres } = readDatabaseLocation(env, service);
  const signingSecret = readSigningSecret(env, nodeEnv, dataDir);
  const testDelayMs = env.int('TEST_SUBGRAPH_DELAY_MS', 0, { min: 0, max: 600_000 });
  if (testDelayMs > 0 && nodeEnv !== 'test') {
    throw new ConfigError(
      `TEST_SUBGRAPH_DELAY_MS is a test hook and needs NODE_ENV=test, got NODE_ENV=${nodeEnv}`,
    );
  }
  return {
    service,
    nodeEnv,
    port: env.int(subgraphVariables(service).port, defaultPort, { min: 0, max: 65535 }),
    dataDir,
    databaseUrl,
    postgres,
    signingSecret,
    signatureMaxAgeMs: env.int('GATEWAY_SIGNATURE_MAX_AGE_MS', 30_000, { min: 1000, max: 300_000 }),
    logLevel: env.oneOf(
      'LOG_LEVEL',
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const,
      'info',
    ),
    logFormat: env.oneOf('LOG_FORMAT', ['json', 'pretty'] as const, 'json'),
    bodyLimitBytes: env.int('BODY_LIMIT_BYTES', 1024 * 1024, { min: 1024, max: 100 * 1024 * 1024 }),
    ...readMetricsSettings(env, nodeEnv),
    testDelayMs,
  };
}

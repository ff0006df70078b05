import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  devSecretFiles,
  ensureDevSecrets,
  isDevelopmentKeyMaterial,
  readSecretFile,
} from './devSecrets';
import type { OperationNames } from './metrics';

/** Thrown at start-up when the environment is wrong; its message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;
export type NodeEnv = 'development' | 'production' | 'test';

/** Reads helpers over one environment object, so that only each service's config.ts sees `process.env`. */
export function envReader(env: Env) {
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  return {
    string(name: string, fallback: string): string {
      return read(name) ?? fallback;
    },
    optional(name: string): string | undefined {
      return read(name);
    },
    int(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
      const raw = read(name);
      if (raw === undefined) return fallback;
      if (!/^-?\d+$/.test(raw))
        throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
      const value = Number(raw);
      if (value < min || value > max) {
        throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
      }
      return value;
    },
    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
      const raw = read(name);
      if (raw === undefined) return fallback;
      if (!(allowed as readonly string[]).includes(raw)) {
        throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
      }
      return raw as T;
    },
    list(name: string, fallback: string[]): string[] {
      const raw = read(name);
      if (raw === undefined) return fallback;
      return raw
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    },
  };
}

export type EnvReader = ReturnType<typeof envReader>;

/**
 * `DATA_DIR` resolved, created if missing (mode 0700: it holds databases and keys), and checked
 * to be writable.
 */
export function readDataDir(env: EnvReader): string {
  const dir = resolve(env.string('DATA_DIR', './data'));
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK | constants.R_OK);
  } catch (error) {
    throw new ConfigError(
      `DATA_DIR "${dir}" is not a writable directory (${(error as Error).message})`,
    );
  }
  return dir;
}

/**
 * In production, checks that every secret in `names` is set as `NAME` or `NAME_FILE`, and names
 * all the missing ones in one error, so a start-up shows the whole list at once.
 */
export function requireProductionSecrets(
  env: EnvReader,
  nodeEnv: NodeEnv,
  names: readonly string[],
): void {
  if (nodeEnv !== 'production') return;
  const missing = names
    .filter((name) => !env.optional(name) && !env.optional(`${name}_FILE`))
    .map((name) => `${name} or ${name}_FILE`);
  if (missing.length === 0) return;
  const [first, ...others] = missing;
  const more =
    others.length === 0
      ? ''
      : `, and so ${others.length === 1 ? 'is' : 'are'} ${others.join(' and ')}`;
  throw new ConfigError(
    `${first} is required when NODE_ENV=production${more}; npm run secrets creates a set and prints the variables to set`,
  );
}

/**
 * Reads a secret from `NAME` (the value itself) or `NAME_FILE` (a path). In development a missing
 * secret is taken from the generated development set in `DATA_DIR/keys`; in production it is a
 * start-up error that names both variables, and generated development material (recognised by
 * its marker, wherever it was copied from) is refused.
 */
export function readSecret(
  env: EnvReader,
  name: string,
  options: {
    nodeEnv: NodeEnv;
    dataDir: string;
    devFile: keyof Omit<ReturnType<typeof devSecretFiles>, 'dir'>;
  },
): { value: string; source: 'env' | 'file' | 'development' } {
  const inline = env.optional(name);
  const file = env.optional(`${name}_FILE`);
  let configured: { value: string; source: 'env' | 'file' } | undefined;
  if (inline) configured = { value: inline.replace(/\\n/g, '\n'), source: 'env' };
  else if (file) {
    try {
      configured = { value: readSecretFile(resolve(file)), source: 'file' };
    } catch (error) {
      throw new ConfigError(`${name}_FILE "${file}" cannot be read (${(error as Error).message})`);
    }
  }
  if (configured) {
    if (options.nodeEnv === 'production' && isDevelopmentSecret(options, configured.value)) {
      throw new ConfigError(
        `${name} is the generated development secret of a DATA_DIR; production needs its own (npm run secrets)`,
      );
    }
    return configured;
  }
  if (options.nodeEnv === 'production') {
    throw new ConfigError(`${name} or ${name}_FILE is required when NODE_ENV=production`);
  }
  const files = ensureDevSecrets(options.dataDir);
  return { value: readSecretFile(files[options.devFile]), source: 'development' };
}

function isDevelopmentSecret(
  options: { dataDir: string; devFile: keyof Omit<ReturnType<typeof devSecretFiles>, 'dir'> },
  value: string,
): boolean {
  if (isDevelopmentKeyMaterial(value)) return true;
  // Sets generated before the marker existed are still recognised in this DATA_DIR.
  try {
    return readSecretFile(devSecretFiles(options.dataDir)[options.devFile]) === value.trim();
  } catch {
    return false;
  }
}

/**
 * The secret the gateway signs forwarded identity with and subgraphs check it with:
 * `GATEWAY_SIGNING_SECRET` or `GATEWAY_SIGNING_SECRET_FILE`, at least 32 characters.
 */
export function readSigningSecret(env: EnvReader, nodeEnv: NodeEnv, dataDir: string): string {
  const secret = readSecret(env, 'GATEWAY_SIGNING_SECRET', {
    nodeEnv,
    dataDir,
    devFile: 'signingSecret',
  });
  if (secret.value.length < 32) {
    throw new ConfigError('GATEWAY_SIGNING_SECRET must be at least 32 characters');
  }
  return secret.value;
}

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

/** Reads a `true`/`false` variable. */
export function readBoolean(env: EnvReader, name: string, fallback: boolean): boolean {
  return env.oneOf(name, ['true', 'false'] as const, fallback ? 'true' : 'false') === 'true';
}

/** How a service serves its metrics. */
export interface MetricsSettings {
  metricsEnabled: boolean;
  metricsPort: number | undefined;
  metricsOperations: OperationNames;
}

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads `METRICS_PORT` (unset: `/metrics` on the service's own port), `METRICS_ENABLED` (default
 * true, but in production only when `METRICS_PORT` is set, so metrics stay off the public port
 * unless asked for) and `METRICS_OPERATIONS` (a comma list of operation names that metrics label
 * by name, every other name being `other`; `*` labels the first names a process sees, the
 * default outside production; production's default is none).
 */
export function readMetricsSettings(env: EnvReader, nodeEnv: NodeEnv): MetricsSettings {
  const production = nodeEnv === 'production';
  const metricsPort =
    env.optional('METRICS_PORT') === undefined
      ? undefined
      : env.int('METRICS_PORT', 0, { min: 0, max: 65535 });
  const names = env.list('METRICS_OPERATIONS', production ? [] : ['*']);
  let metricsOperations: OperationNames;
  if (names.includes('*')) {
    if (names.length > 1) {
      throw new ConfigError(
        `METRICS_OPERATIONS must be * or a comma list of operation names, got "${names.join(',')}"`,
      );
    }
    metricsOperations = '*';
  } else {
    const wrong = names.find((name) => !OPERATION_NAME.test(name) || name.length > 100);
    if (wrong !== undefined) {
      throw new ConfigError(
        `METRICS_OPERATIONS must be * or a comma list of GraphQL operation names, got "${wrong}"`,
      );
    }
    metricsOperations = names;
  }
  return {
    metricsEnabled: readBoolean(env, 'METRICS_ENABLED', !production || metricsPort !== undefined),
    metricsPort,
    metricsOperations,
  };
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
  const upper = service.toUpperCase();
  const dataDir = readDataDir(env);
  const databaseUrl = env.optional(`${upper}_DATABASE_URL`);
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(
      `${upper}_DATABASE_URL must be a postgres:// URL, got "${databaseUrl.split('@').pop()}"`,
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
  const upper = service.toUpperCase();
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
    port: env.int(`${upper}_PORT`, defaultPort, { min: 0, max: 65535 }),
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

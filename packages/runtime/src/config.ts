import { accessSync, constants, mkdirSync } from 'node:fs';
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

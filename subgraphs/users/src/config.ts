import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ConfigError,
  envReader,
  readDatabaseLocation,
  readSecret,
  readSubgraphBaseConfig,
  type Env,
  type EnvReader,
  type PostgresSettings,
  type SubgraphBaseConfig,
} from '@fedstack/kit';
import { readRedisUrl } from '@fedstack/runtime/redis';
import type { LoginThrottleSettings } from './auth/loginThrottle';
import { parsePublicKeys } from './auth/signingKeys';
import type { RegisterThrottleSettings } from './auth/registerThrottle';

export interface UsersConfig extends SubgraphBaseConfig {
  /** PEM of the ES256 private key that signs access tokens. */
  jwtPrivateKey: string;
  /**
   * Public keys of earlier signing keys (`JWT_PREVIOUS_PUBLIC_KEYS(_FILE)`), still published in
   * the JWKS during a rotation so that the tokens they signed keep working, never signed with.
   */
  jwtPreviousPublicKeys: KeyObject[];
  jwtIssuer: string;
  jwtAudience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  loginThrottle: LoginThrottleSettings;
  registerThrottle: RegisterThrottleSettings;
  /**
   * `REDIS_URL`: where the login and registration throttles keep their counts, shared by every
   * users process, and where revocations are announced to the gateways; unset, each process
   * counts in memory and gateways learn of revocations from the feed alone.
   */
  redisUrl: string | undefined;
}

/** Tokens are signed ES256, so the key must be an EC key on P-256; say so at start-up. */
function assertEs256Key(pem: string): void {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new ConfigError(
      `JWT_PRIVATE_KEY must be a PEM-encoded private key (${(error as Error).message})`,
    );
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ConfigError('JWT_PRIVATE_KEY must be an EC P-256 key: access tokens are ES256');
  }
}

/**
 * `JWT_PREVIOUS_PUBLIC_KEYS` (the PEM text) or `JWT_PREVIOUS_PUBLIC_KEYS_FILE` (a path): one or
 * more `PUBLIC KEY` PEM blocks, one after the other.
 */
function readPreviousPublicKeys(env: EnvReader): KeyObject[] {
  const inline = env.optional('JWT_PREVIOUS_PUBLIC_KEYS');
  const file = env.optional('JWT_PREVIOUS_PUBLIC_KEYS_FILE');
  if (inline && file) {
    throw new ConfigError(
      'set JWT_PREVIOUS_PUBLIC_KEYS or JWT_PREVIOUS_PUBLIC_KEYS_FILE, not both',
    );
  }
  let pem: string;
  let variable: string;
  if (inline) {
    pem = inline.replace(/\\n/g, '\n');
    variable = 'JWT_PREVIOUS_PUBLIC_KEYS';
  } else if (file) {
    variable = 'JWT_PREVIOUS_PUBLIC_KEYS_FILE';
    try {
      pem = readFileSync(resolve(file), 'utf8');
    } catch (error) {
      throw new ConfigError(`${variable} "${file}" cannot be read (${(error as Error).message})`);
    }
  } else {
    return [];
  }
  try {
    return parsePublicKeys(pem);
  } catch (error) {
    throw new ConfigError(
      `${variable} must hold one or more PEM-encoded public keys: ${(error as Error).message}`,
    );
  }
}

/**
 * Reads the users subgraph's configuration; only this module reads `process.env`.
 *
 * Defaults: `JWT_ISSUER` fedstack, `JWT_AUDIENCE` fedstack-api, `ACCESS_TOKEN_TTL_SECONDS` 900,
 * `REFRESH_TOKEN_TTL_SECONDS` 30 days; failed logins (OWASP Authentication Cheat Sheet):
 * `LOGIN_ACCOUNT_MAX_FAILURES` 5 per `LOGIN_ACCOUNT_WINDOW_SECONDS` 900 lock the account for
 * `LOGIN_ACCOUNT_LOCKOUT_SECONDS` 900 (doubling with each further lockout, up to a day), and
 * `LOGIN_IP_MAX_FAILURES` 100 per `LOGIN_IP_WINDOW_SECONDS` 3600 stop a client address;
 * registrations: `REGISTER_IP_MAX` 10 per `REGISTER_IP_WINDOW_SECONDS` 60 per client address.
 * `JWT_PREVIOUS_PUBLIC_KEYS(_FILE)`: none. `REDIS_URL`: unset (throttles in memory).
 */
export function readConfig(rawEnv: Env = process.env): UsersConfig {
  const base = readSubgraphBaseConfig(rawEnv, 'users', 4001, { secrets: ['JWT_PRIVATE_KEY'] });
  const env = envReader(rawEnv);
  const privateKey = readSecret(env, 'JWT_PRIVATE_KEY', {
    nodeEnv: base.nodeEnv,
    dataDir: base.dataDir,
    devFile: 'jwtPrivateKey',
  });
  if (!privateKey.value.includes('PRIVATE KEY')) {
    throw new ConfigError('JWT_PRIVATE_KEY must be a PEM-encoded private key');
  }
  assertEs256Key(privateKey.value);
  return {
    ...base,
    jwtPrivateKey: privateKey.value,
    jwtPreviousPublicKeys: readPreviousPublicKeys(env),
    jwtIssuer: env.string('JWT_ISSUER', 'fedstack'),
    jwtAudience: env.string('JWT_AUDIENCE', 'fedstack-api'),
    accessTokenTtlSeconds: env.int('ACCESS_TOKEN_TTL_SECONDS', 900, { min: 30, max: 86_400 }),
    refreshTokenTtlSeconds: env.int('REFRESH_TOKEN_TTL_SECONDS', 30 * 86_400, {
      min: 60,
      max: 365 * 86_400,
    }),
    loginThrottle: {
      accountMaxFailures: env.int('LOGIN_ACCOUNT_MAX_FAILURES', 5, { min: 1, max: 1000 }),
      accountWindowSeconds: env.int('LOGIN_ACCOUNT_WINDOW_SECONDS', 900, { min: 1, max: 86_400 }),
      accountLockoutSeconds: env.int('LOGIN_ACCOUNT_LOCKOUT_SECONDS', 900, {
        min: 1,
        max: 86_400,
      }),
      ipMaxFailures: env.int('LOGIN_IP_MAX_FAILURES', 100, { min: 1, max: 1_000_000 }),
      ipWindowSeconds: env.int('LOGIN_IP_WINDOW_SECONDS', 3600, { min: 1, max: 86_400 }),
    },
    registerThrottle: {
      ipMaxRegistrations: env.int('REGISTER_IP_MAX', 10, { min: 1, max: 1_000_000 }),
      ipWindowSeconds: env.int('REGISTER_IP_WINDOW_SECONDS', 60, { min: 1, max: 86_400 }),
    },
    redisUrl: readRedisUrl(env),
  };
}

/**
 * Only where the users database is (`DATA_DIR`, `USERS_DATABASE_URL`), for commands such as
 * `npm run create-admin` that need neither secrets nor a port.
 */
export function readUsersDatabaseConfig(rawEnv: Env = process.env): {
  service: 'users';
  dataDir: string;
  databaseUrl: string | undefined;
  postgres: PostgresSettings | undefined;
} {
  return { service: 'users', ...readDatabaseLocation(envReader(rawEnv), 'users') };
}

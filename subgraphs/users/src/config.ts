import {
  ConfigError,
  envReader,
  readDatabaseLocation,
  readSecret,
  readSubgraphBaseConfig,
  type Env,
  type SubgraphBaseConfig,
} from '@fedstack/kit';
import type { LoginThrottleSettings } from './auth/loginThrottle';
import type { RegisterThrottleSettings } from './auth/registerThrottle';

export interface UsersConfig extends SubgraphBaseConfig {
  /** PEM of the ES256 private key that signs access tokens. */
  jwtPrivateKey: string;
  jwtIssuer: string;
  jwtAudience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  loginThrottle: LoginThrottleSettings;
  registerThrottle: RegisterThrottleSettings;
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
  return {
    ...base,
    jwtPrivateKey: privateKey.value,
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
} {
  return { service: 'users', ...readDatabaseLocation(envReader(rawEnv), 'users') };
}

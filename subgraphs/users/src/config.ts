import {
  ConfigError,
  envReader,
  readSecret,
  readSubgraphBaseConfig,
  type Env,
  type SubgraphBaseConfig,
} from '@fedstack/kit';

export interface UsersConfig extends SubgraphBaseConfig {
  /** PEM of the ES256 private key that signs access tokens. */
  jwtPrivateKey: string;
  jwtIssuer: string;
  jwtAudience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

/** Reads the users subgraph's configuration; only this module reads `process.env`. */
export function readConfig(rawEnv: Env = process.env): UsersConfig {
  const base = readSubgraphBaseConfig(rawEnv, 'users', 4001);
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
  };
}

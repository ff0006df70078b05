import { ConfigError, readSecret, type EnvReader, type NodeEnv } from '@fedstack/runtime/config';

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

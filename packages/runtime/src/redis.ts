import { Redis } from 'ioredis';
import { ConfigError, type EnvReader } from './config';
import type { Logger } from './logger';

export type { Redis };

/** `REDIS_URL`, when set: a `redis://` or `rediss://` URL (never echoed: it may hold a password). */
export function readRedisUrl(env: EnvReader): string | undefined {
  const value = env.optional('REDIS_URL');
  if (!value) return undefined;
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  }
  return value;
}

/**
 * Opens the Redis client of a service (`REDIS_URL`). Commands are not queued while disconnected:
 * they fail at once, so a request never waits for Redis to come back, and each caller decides
 * what a failure means (refuse, or fall back). The client reconnects by itself, so everything
 * works again without a restart once Redis answers. One warning per outage (`whileDown` says what
 * the service does meanwhile), one notice when it is over. Resolves once the first connection
 * attempt has succeeded or failed; a failed one does not stop start-up.
 */
export async function openRedis(url: string, logger: Logger, whileDown: string): Promise<Redis> {
  const client = new Redis(url, { enableOfflineQueue: false });
  let failing = false;
  client.on('error', (error: Error) => {
    if (failing) return;
    failing = true;
    logger.warn(
      { event: 'redis.unavailable', err: { message: error.message } },
      `Redis is unreachable: ${whileDown}`,
    );
  });
  client.on('ready', () => {
    if (!failing) return;
    failing = false;
    logger.info({ event: 'redis.recovered' }, 'Redis answers again');
  });
  await new Promise<void>((resolve) => {
    const done = () => {
      client.off('ready', done);
      client.off('error', done);
      resolve();
    };
    client.once('ready', done);
    client.once('error', done);
  });
  return client;
}

/** Closes the client, politely when it is connected. */
export async function closeRedis(client: Redis): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/**
 * The Redis Stream through which the token-issuing subgraph announces each revocation the moment
 * it commits, and which every gateway with `REDIS_URL` reads. Each entry has one field, `entry`,
 * holding the revocation as the `GET /revocations` feed shows it (JSON).
 */
export const REVOCATION_STREAM = 'fedstack:revocations';

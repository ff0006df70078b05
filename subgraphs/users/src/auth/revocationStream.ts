import type { Logger } from '@fedstack/kit';
import { REVOCATION_STREAM, type Redis } from '@fedstack/runtime/redis';
import type { RevocationEntry } from './revocations';

/**
 * Announces revocations on the Redis stream that gateways with `REDIS_URL` read
 * (`REVOCATION_STREAM`), so that every gateway replica refuses a revoked token within moments
 * instead of at its next poll of the feed. Entries older than `retainMs` (the feed's retention:
 * no token they could refuse is still alive) are trimmed as new ones arrive. A failed announcement
 * (Redis down) is only logged: the feed, which gateways keep polling, still carries it.
 */
export function revocationPublisher(
  client: Redis,
  retainMs: number,
  logger: Logger,
): (entry: RevocationEntry) => void {
  return (entry) => {
    const oldest = String(Math.max(0, Date.now() - retainMs));
    client
      .xadd(REVOCATION_STREAM, 'MINID', '~', oldest, '*', 'entry', JSON.stringify(entry))
      .catch((error: unknown) => {
        logger.warn(
          { event: 'revocation.publish_failed', err: { message: (error as Error).message } },
          'revocation not announced on Redis: gateways learn of it at their next feed poll',
        );
      });
  };
}

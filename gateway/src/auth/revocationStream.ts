import type { Logger } from '@fedstack/runtime/logger';
import { counter } from '@fedstack/runtime/metrics';
import { REVOCATION_STREAM, type Redis } from '@fedstack/runtime/redis';

/** How long to wait before reading again after a failed read (Redis down). */
const RETRY_MS = 500;
/** How long one blocking read waits for an entry before it is sent again. */
const BLOCK_MS = 5_000;
/** The first read starts this far back, so that entries made while the gateway started are seen. */
const START_OVERLAP_MS = 60_000;

const streamEntries = counter({
  name: 'gateway_revocation_stream_entries_total',
  help: 'Revocations read from the Redis stream (REDIS_URL)',
});

/**
 * Follows the revocation stream that the token-issuing subgraph writes to Redis as each
 * revocation commits (`REVOCATION_STREAM`), with a blocking `XREAD` on a connection of its own,
 * and hands every entry to `apply` (the `RevocationList`): every gateway replica refuses a revoked
 * token within moments. The feed poll goes on beside it, so an entry lost here (Redis down, a
 * restart that emptied it) still arrives within the poll window. Never throws; while Redis is
 * down it tries again every half second, from where it stopped.
 */
export class RevocationStream {
  private readonly reader: Redis;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    client: Redis,
    private readonly apply: (entry: unknown) => void,
    private readonly logger: Logger,
  ) {
    // A blocking read holds its connection: it gets one of its own. Its outages are the shared
    // client's, which logs them.
    this.reader = client.duplicate();
    this.reader.on('error', () => undefined);
  }

  start(): void {
    this.running ??= this.follow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Ends the blocking read at once.
    this.reader.disconnect();
    await this.running;
  }

  private async follow(): Promise<void> {
    let lastId = `${Math.max(0, Date.now() - START_OVERLAP_MS)}-0`;
    while (!this.stopped) {
      try {
        const answer = await this.reader.xread(
          'COUNT',
          1000,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          REVOCATION_STREAM,
          lastId,
        );
        for (const [, entries] of answer ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            this.read(fields);
          }
        }
      } catch {
        if (this.stopped) return;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
      }
    }
  }

  private read(fields: string[]): void {
    const index = fields.indexOf('entry');
    const raw = index === -1 ? undefined : fields[index + 1];
    if (raw === undefined) return;
    try {
      this.apply(JSON.parse(raw));
      streamEntries.inc();
    } catch (error) {
      this.logger.warn(
        { err: { message: (error as Error).message } },
        'unreadable revocation stream entry skipped',
      );
    }
  }
}

import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@fedstack/runtime/logger';

export interface SupergraphFromFileOptions {
  logger: Logger;
  /** How often the file is checked for changes; default 1000 ms. */
  pollIntervalMs?: number;
}

/**
 * The gateway's `supergraphSdl` hook for a composed supergraph on disk: serves the file, and
 * hands every changed version to the gateway. A version the gateway refuses (half written,
 * invalid) is logged and the running schema is kept; the next change is tried again.
 *
 * The file is polled rather than watched for events because composing tools and editors often
 * replace it by renaming, which an event watcher on the old inode never sees.
 */
export function supergraphFromFile(
  path: string,
  options: SupergraphFromFileOptions,
): SupergraphSdlHook {
  const { logger } = options;
  return async ({ update }) => {
    const initial = readFileSync(path, 'utf8');
    let lastSeen = initial;
    const onChange = (current: Stats, previous: Stats) => {
      if (current.mtimeMs === previous.mtimeMs && current.size === previous.size) return;
      let next: string;
      try {
        next = readFileSync(path, 'utf8');
      } catch (error) {
        logger.warn(
          { err: error, file: path },
          'supergraph file cannot be read; keeping the current schema',
        );
        return;
      }
      if (next === lastSeen || next.trim() === '') return;
      lastSeen = next;
      try {
        update(next);
        logger.info({ file: path }, 'supergraph reloaded');
      } catch (error) {
        logger.error(
          { err: error, file: path },
          'supergraph update refused; keeping the current schema',
        );
      }
    };
    watchFile(path, { interval: options.pollIntervalMs ?? 1000, persistent: false }, onChange);
    return {
      supergraphSdl: initial,
      cleanup: async () => unwatchFile(path, onChange),
    };
  };
}

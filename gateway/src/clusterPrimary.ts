import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '@fedstack/runtime/logger';
import { isReadyMessage, type RunningService } from '@fedstack/runtime/runService';

export interface ClusterPrimaryOptions {
  /** How many workers run the gateway; each is this same program, run again by `node:cluster`. */
  workers: number;
  logger: Logger;
  /** Shortest wait before a worker that died is replaced; doubles while workers keep dying. Default 100 ms. */
  restartDelayMs?: number;
}

/** A worker counts as having crashed soon after its start when it lived less than this. */
const SHORT_LIFE_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * The primary of a gateway cluster: forks `workers` copies of this program, which each run the
 * gateway (through `runService`, as a single gateway runs) on the same port, shared by
 * `node:cluster`. Resolves once every worker reported itself ready; rejects if one exits before.
 * A worker that dies afterwards is replaced, after a delay that grows while workers keep dying
 * young. `stop()` sends every worker SIGTERM, so each drains its in-flight requests, and resolves
 * once all have exited (rejecting if one did not exit cleanly).
 *
 * This runs inside the primary's own `runService`, which stays the one owner of its signals.
 */
export function startClusterPrimary(options: ClusterPrimaryOptions): Promise<RunningService> {
  const { logger } = options;
  const baseDelay = options.restartDelayMs ?? 100;
  let stopping = false;
  let restartDelay = baseDelay;
  let port = 0;
  /** Each live worker, with when it started and its exit (its code; null when killed). */
  const live = new Map<Worker, { startedAt: number; exit: Promise<number | null> }>();

  const fork = (): Worker => {
    const worker = cluster.fork();
    const exit = new Promise<number | null>((resolve) =>
      worker.once('exit', (code, signal) => {
        resolve(signal ? null : code);
        onExit(worker, code, signal);
      }),
    );
    live.set(worker, { startedAt: Date.now(), exit });
    return worker;
  };

  const onExit = (worker: Worker, code: number | null, signal: string | null) => {
    const lived = Date.now() - (live.get(worker)?.startedAt ?? 0);
    live.delete(worker);
    if (stopping || port === 0) return;
    restartDelay =
      lived < SHORT_LIFE_MS ? Math.min(restartDelay * 2, MAX_RESTART_DELAY_MS) : baseDelay;
    logger.error(
      { worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: restartDelay },
      'gateway worker died; starting a new one',
    );
    setTimeout(() => {
      if (!stopping) fork();
    }, restartDelay).unref();
  };

  return new Promise<RunningService>((resolve, reject) => {
    const ready = new Set<Worker>();
    const starting: Worker[] = [];
    const onStartExit = (worker: Worker, code: number | null, signal: string | null) => {
      if (port !== 0 || stopping) return;
      stopping = true;
      // The others are stopped and reaped before the start is reported failed, so that nothing
      // they print comes after the failure and no worker outlives its primary.
      const others = starting.filter((other) => other !== worker && !other.isDead());
      const exits = others.map((other) => live.get(other)?.exit);
      for (const other of others) other.kill('SIGTERM');
      void Promise.all(exits).then(() =>
        reject(
          new Error(
            `gateway worker ${worker.id} exited (${signal ?? `code ${code}`}) before it was ready`,
          ),
        ),
      );
    };
    for (let i = 0; i < options.workers; i += 1) {
      const worker = fork();
      starting.push(worker);
      worker.once('exit', (code, signal) => onStartExit(worker, code, signal));
      worker.on('message', (message: unknown) => {
        if (!isReadyMessage(message) || ready.has(worker)) return;
        ready.add(worker);
        if (ready.size < options.workers || stopping) return;
        port = message.port;
        logger.info({ workers: options.workers, port }, 'gateway workers ready');
        resolve({
          port,
          async stop() {
            stopping = true;
            const draining = [...live.entries()];
            for (const [worker] of draining) worker.process.kill('SIGTERM');
            const codes = await Promise.all(draining.map(([, { exit }]) => exit));
            const failed = codes.filter((code) => code !== 0).length;
            if (failed > 0) throw new Error(`${failed} gateway worker(s) did not stop cleanly`);
          },
        });
      });
    }
  });
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { isReadyMessage } from '@fedstack/runtime/runService';

export interface ServiceSpec {
  name: string;
  /** TypeScript entry file, run with `node --import tsx`; it must call the kit's `runService`. */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** The port the service is configured to listen on, for the URLs printed at start. */
  port: number;
}

const COLORS = [36, 35, 33, 32, 34];

/**
 * Runs services as child processes with prefixed output. A service is ready when the process
 * itself reports, over its IPC channel, that it listens (another program answering on its port
 * does not count). Once every service has been ready, a service that dies is reported and
 * restarted with exponential backoff while the others keep running; `stop()` sends SIGTERM to all
 * and waits for them.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private readonly restarts = new Map<string, number>();
  /** A crashed service's restart waiting out its backoff. */
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Children stopped on purpose by `restart()`, whose exit is not a crash. */
  private readonly replaced = new WeakSet<ChildProcess>();
  /** Each service's latest `restart()`, so that restarts of one service run one at a time. */
  private readonly restarting = new Map<string, Promise<void>>();
  private stopping = false;
  private readonly width: number;

  constructor(
    private readonly specs: ServiceSpec[],
    private readonly cwd: string,
  ) {
    this.width = Math.max(...specs.map((spec) => spec.name.length));
  }

  /**
   * Starts the services in order, each once the previous is ready (default timeout 60 s each).
   * Resolves true once all are ready, false if `stop()` was called meanwhile; rejects with a
   * one-line reason, naming the service, if one fails to start.
   */
  async start(timeoutMs = 60_000): Promise<boolean> {
    for (const spec of this.specs) {
      if (this.stopping) return false;
      const child = this.spawn(spec);
      try {
        await this.waitReady(spec, child, timeoutMs);
      } catch (error) {
        if (this.stopping) return false;
        throw error;
      }
      this.watch(spec, child);
    }
    return !this.stopping;
  }

  /** Sends SIGTERM to every child and waits for all to exit; SIGKILL after `graceMs` (15 s). */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
    await Promise.all([...this.children.values()].map((child) => terminate(child, graceMs)));
  }

  /**
   * Stops one service (SIGTERM, SIGKILL after `graceMs`) and starts it afresh, as a change to its
   * source asks. Resolves once the new process is ready or has failed to start (logged, then
   * retried with backoff like a crash); restarts of one service run one after the other. A crash
   * restart waiting out its backoff is replaced by this one.
   */
  restart(name: string, graceMs = 15_000): Promise<void> {
    const spec = this.specs.find((candidate) => candidate.name === name);
    if (!spec) return Promise.reject(new Error(`no service named "${name}"`));
    const previous = this.restarting.get(name) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (this.stopping) return;
      clearTimeout(this.pending.get(name));
      this.pending.delete(name);
      const old = this.children.get(name);
      if (old) {
        this.replaced.add(old);
        this.log(name, 'restarting');
        await terminate(old, graceMs);
      }
      if (this.stopping) return;
      this.restarts.delete(name);
      await this.respawn(spec);
    });
    this.restarting.set(name, next);
    return next;
  }

  private prefix(name: string): string {
    const index = this.specs.findIndex((spec) => spec.name === name);
    const label = `[${name}]`.padEnd(this.width + 2);
    if (!process.stdout.isTTY || index < 0) return label;
    return `\x1b[${COLORS[index % COLORS.length]}m${label}\x1b[0m`;
  }

  log(name: string, line: string): void {
    process.stdout.write(`${this.prefix(name)} ${line}\n`);
  }

  private spawn(spec: ServiceSpec): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', spec.entry], {
      cwd: this.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream)
        createInterface({ input: stream }).on('line', (line) => this.log(spec.name, line));
    }
    this.children.set(spec.name, child);
    this.log(spec.name, `started (pid ${child.pid})`);
    return child;
  }

  /**
   * Resolves when `child` reports that it listens; rejects when it exits first (with the reason
   * it printed, e.g. `port 4001 is already in use by another program`) or after `timeoutMs`.
   */
  private waitReady(spec: ServiceSpec, child: ChildProcess, timeoutMs: number): Promise<void> {
    let reason: string | undefined;
    const failure = `${spec.name}: failed to start: `;
    if (child.stderr)
      createInterface({ input: child.stderr }).on('line', (line) => {
        if (line.startsWith(failure)) reason = line.slice(failure.length);
      });
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('close', onExit);
      };
      const onMessage = (message: unknown) => {
        if (!isReadyMessage(message)) return;
        done();
        this.log(spec.name, `ready on port ${message.port}`);
        resolve();
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        done();
        reject(
          new Error(
            reason === undefined
              ? `${spec.name} exited (${code ?? signal}) before it was ready`
              : `${spec.name} failed to start: ${reason}`,
          ),
        );
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${spec.name} was not ready within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      child.on('message', onMessage);
      // 'close' rather than 'exit': by then the child's last stderr line has been read.
      child.once('close', onExit);
    });
  }

  /** Starts `spec` again after it stopped; resolves once it is ready or has failed to start. */
  private respawn(spec: ServiceSpec): Promise<void> {
    const child = this.spawn(spec);
    this.watch(spec, child);
    return this.waitReady(spec, child, 60_000).then(
      () => this.log(spec.name, 'restarted and ready'),
      (error: Error) => {
        if (!this.stopping && !this.replaced.has(child))
          this.log(spec.name, `restart failed: ${error.message}`);
      },
    );
  }

  private watch(spec: ServiceSpec, child: ChildProcess): void {
    const startedAt = Date.now();
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (this.stopping || this.replaced.has(child)) return;
      // A service that stayed up for a minute starts its backoff afresh.
      const attempt = Date.now() - startedAt > 60_000 ? 0 : (this.restarts.get(spec.name) ?? 0);
      const delay = Math.min(30_000, 1000 * 2 ** attempt);
      this.restarts.set(spec.name, attempt + 1);
      this.log(spec.name, `exited (${code ?? signal}); restarting in ${delay / 1000} s`);
      this.pending.set(
        spec.name,
        setTimeout(() => {
          this.pending.delete(spec.name);
          if (!this.stopping) void this.respawn(spec);
        }, delay),
      );
    };
    if (child.exitCode !== null || child.signalCode !== null)
      onExit(child.exitCode, child.signalCode);
    else child.once('exit', onExit);
  }
}

/** Sends `child` SIGTERM, SIGKILL after `graceMs`; resolves once it has exited. */
function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

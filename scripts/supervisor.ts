import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { isReadyMessage } from '@fedstack/kit/runService';

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
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  private prefix(name: string): string {
    const color = COLORS[this.specs.findIndex((spec) => spec.name === name) % COLORS.length];
    const label = `[${name}]`.padEnd(this.width + 2);
    return process.stdout.isTTY ? `\x1b[${color}m${label}\x1b[0m` : label;
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

  private watch(spec: ServiceSpec, child: ChildProcess): void {
    const startedAt = Date.now();
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (this.stopping) return;
      // A service that stayed up for a minute starts its backoff afresh.
      const attempt = Date.now() - startedAt > 60_000 ? 0 : (this.restarts.get(spec.name) ?? 0);
      const delay = Math.min(30_000, 1000 * 2 ** attempt);
      this.restarts.set(spec.name, attempt + 1);
      this.log(spec.name, `exited (${code ?? signal}); restarting in ${delay / 1000} s`);
      setTimeout(() => {
        if (this.stopping) return;
        const next = this.spawn(spec);
        this.waitReady(spec, next, 60_000).then(
          () => this.log(spec.name, 'restarted and ready'),
          (error: Error) => this.log(spec.name, `restart failed: ${error.message}`),
        );
        this.watch(spec, next);
      }, delay);
    };
    if (child.exitCode !== null || child.signalCode !== null)
      onExit(child.exitCode, child.signalCode);
    else child.once('exit', onExit);
  }
}

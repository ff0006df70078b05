import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServiceSpec {
  name: string;
  /** TypeScript entry file, run with `node --import tsx`. */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** URL polled until it answers 200 to call the service ready. */
  healthUrl: string;
}

const COLORS = [36, 35, 33, 32, 34];

/**
 * Runs services as child processes with prefixed output. Once every service has been ready, a
 * service that dies is reported and restarted with exponential backoff while the others keep
 * running; `stop()` sends SIGTERM to all and waits for them.
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

  /** Starts the services in order, each once the previous is healthy; rejects if one fails. */
  async start(timeoutMs = 60_000): Promise<void> {
    for (const spec of this.specs) {
      const child = this.spawn(spec);
      await this.waitHealthy(spec, child, timeoutMs);
      this.watch(spec, child);
    }
  }

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
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream)
        createInterface({ input: stream }).on('line', (line) => this.log(spec.name, line));
    }
    this.children.set(spec.name, child);
    this.log(spec.name, `started (pid ${child.pid})`);
    return child;
  }

  private async waitHealthy(
    spec: ServiceSpec,
    child: ChildProcess,
    timeoutMs: number,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${spec.name} exited (${child.exitCode ?? child.signalCode}) before it was ready`,
        );
      }
      try {
        const response = await fetch(spec.healthUrl, { signal: AbortSignal.timeout(1000) });
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${spec.name} was not ready at ${spec.healthUrl} within ${timeoutMs / 1000} s`);
  }

  private watch(spec: ServiceSpec, child: ChildProcess): void {
    const startedAt = Date.now();
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      // A service that stayed up for a minute starts its backoff afresh.
      const attempt = Date.now() - startedAt > 60_000 ? 0 : (this.restarts.get(spec.name) ?? 0);
      const delay = Math.min(30_000, 1000 * 2 ** attempt);
      this.restarts.set(spec.name, attempt + 1);
      this.log(spec.name, `exited (${code ?? signal}); restarting in ${delay / 1000} s`);
      setTimeout(() => {
        if (this.stopping) return;
        const next = this.spawn(spec);
        this.waitHealthy(spec, next, 60_000).then(
          () => this.log(spec.name, 'restarted and ready'),
          (error: Error) => this.log(spec.name, `restart failed: ${error.message}`),
        );
        this.watch(spec, next);
      }, delay);
    });
  }
}

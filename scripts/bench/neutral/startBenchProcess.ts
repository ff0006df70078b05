import { spawn, type ChildProcess } from 'node:child_process';

/** A process the bench started and owns. */
export interface BenchProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** The last few KB of its stdout and stderr, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 3000); resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 8192;

/**
 * Spawns `node <args>` (pass `--import tsx` first for TypeScript entries) with exactly `env` plus
 * PATH and HOME, and resolves once `ready` answers true (polled every 200 ms), or rejects naming the
 * process and its output when it exits or `timeoutMs` (default 60 s) passes first.
 */
export async function startBenchProcess(options: {
  name: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  ready: () => Promise<boolean>;
  timeoutMs?: number;
}): Promise<BenchProcess> {
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const handle: BenchProcess = {
    name: options.name,
    pid: child.pid ?? -1,
    child,
    output: () => output,
    async stop(graceMs = 3000) {
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (!hasExited && Date.now() < deadline) {
    if (await options.ready().catch(() => false)) return handle;
    await new Promise((r) => setTimeout(r, 200));
  }
  await handle.stop(500);
  throw new Error(
    `${options.name} ${hasExited ? `exited (code ${child.exitCode})` : 'did not become ready'} before answering:\n${output}`,
  );
}

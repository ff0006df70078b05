import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** Why the Redis suites cannot run here, or undefined when `redis-server` is on PATH. */
export function redisSkipReason(): string | undefined {
  return spawnSync('redis-server', ['--version']).error === undefined
    ? undefined
    : 'redis-server is not on PATH (Debian: apt-get install redis-server)';
}

/** A throwaway redis-server on `port`, without persistence; resolves once it accepts connections. */
export function startRedis(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve(child);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
}

/** Stops a redis-server started by `startRedis` and waits for it to exit. */
export function stopRedis(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

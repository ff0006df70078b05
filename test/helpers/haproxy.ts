import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './processes';

/** Debian installs it in /usr/sbin, which is not on every user's PATH. */
const HAPROXY = ['haproxy', '/usr/sbin/haproxy'].find(
  (command) => spawnSync(command, ['-v']).error === undefined,
);

/** Why the HAProxy suites cannot run here, or undefined when `haproxy` is installed. */
export function haproxySkipReason(): string | undefined {
  return HAPROXY ? undefined : 'haproxy is not installed (Debian: apt-get install haproxy)';
}

export interface RunningHaproxy {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** The configuration it runs, as written. */
  config: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * HAProxy in front of `servers` (name and loopback port each) on `port`, as a load balancer in
 * front of gateway replicas is set up: round robin; a replica counts only while
 * `GET /health/ready` answers 200 (checked every 200 ms, out after one failure, back after one
 * success); a request whose connection fails or gets no answer is sent again, to another replica
 * when there is one (`retry-on`, `option redispatch`). Each answer names the replica that served
 * it in `x-served-by`. Runs in the foreground from a temporary folder; resolves once it listens.
 */
export async function startHaproxy(
  port: number,
  servers: ReadonlyArray<{ name: string; port: number }>,
): Promise<RunningHaproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'fedstack-haproxy-'));
  const config = [
    'global',
    '  maxconn 2000',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  retries 3',
    '  option redispatch',
    '  retry-on conn-failure empty-response',
    'frontend gateway',
    `  bind 127.0.0.1:${port}`,
    '  default_backend replicas',
    'backend replicas',
    '  balance roundrobin',
    '  option httpchk GET /health/ready',
    '  http-check expect status 200',
    '  http-response set-header x-served-by %s',
    ...servers.map(
      (server) => `  server ${server.name} 127.0.0.1:${server.port} check inter 200 fall 1 rise 1`,
    ),
    '',
  ].join('\n');
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const child: ChildProcess = spawn(HAPROXY ?? 'haproxy', ['-db', '-f', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      `haproxy on port ${port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`haproxy exited: ${output}`);
        try {
          await fetch(`${origin}/health`, { signal: AbortSignal.timeout(1000) });
          return true;
        } catch {
          return false;
        }
      },
      10_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, config, output: () => output, stop };
}

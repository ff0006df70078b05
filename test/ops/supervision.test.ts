/**
 * `npm start` as a real process tree: a service killed with SIGKILL is reported and restarted
 * with growing backoff while the others keep answering, and Ctrl-C (SIGINT to the whole process
 * group, as a terminal sends it) still stops everything with exit code 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, isHealthy, postGraphQL, ROOT, waitFor } from '../helpers/processes';

async function pidOf(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/health`);
  return ((await response.json()) as { pid: number }).pid;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('restarts a killed service with backoff, keeps the others up, and stops everything on Ctrl-C', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-supervise-'));
  const ports = {
    gateway: await freePort(),
    users: await freePort(),
    orders: await freePort(),
    suppliers: await freePort(),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/start.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      GATEWAY_PORT: String(ports.gateway),
      USERS_PORT: String(ports.users),
      ORDERS_PORT: String(ports.orders),
      SUPPLIERS_PORT: String(ports.suppliers),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so the test can signal the whole tree as a terminal's Ctrl-C does.
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) =>
    child.once('exit', (code) => resolveExit(code)),
  );
  const pids: number[] = [];
  try {
    await waitFor('npm start to be ready', () => output.includes('Press Ctrl-C to stop'), 90_000);
    const first = await pidOf(ports.orders);
    pids.push(first, await pidOf(ports.users), await pidOf(ports.suppliers));
    expect(output).toMatch(new RegExp(`\\[orders\\]\\s+started \\(pid ${first}\\)`));

    process.kill(first, 'SIGKILL');
    await waitFor('the crash report', () =>
      /\[orders\]\s+exited \(SIGKILL\); restarting in 1 s/.test(output),
    );
    // While orders is down, the others keep answering.
    expect(await isHealthy(`http://127.0.0.1:${ports.gateway}`)).toBe(true);
    expect(await isHealthy(`http://127.0.0.1:${ports.users}`)).toBe(true);
    expect(await isHealthy(`http://127.0.0.1:${ports.suppliers}`)).toBe(true);
    const partial = await postGraphQL<{ suppliers: unknown[] }>(
      `http://127.0.0.1:${ports.gateway}/graphql`,
      '{ suppliers { name } }',
    );
    expect(partial.body.data?.suppliers.length).toBeGreaterThan(0);

    await waitFor('the restart', () => /\[orders\]\s+restarted and ready/.test(output), 30_000);
    const second = await pidOf(ports.orders);
    expect(second).not.toBe(first);
    pids.push(second);
    const login = await postGraphQL<{ login: { accessToken: string } }>(
      `http://127.0.0.1:${ports.gateway}/graphql`,
      'mutation { login(username: "alice", password: "alice-password") { accessToken } }',
    );
    const me = await postGraphQL<{ me: { orders: unknown[] } }>(
      `http://127.0.0.1:${ports.gateway}/graphql`,
      '{ me { orders { item } } }',
      {},
      { authorization: `Bearer ${login.body.data?.login.accessToken}` },
    );
    expect(me.body.errors).toBeUndefined();
    expect(me.body.data?.me.orders.length).toBeGreaterThan(0);

    // A second crash soon after waits longer.
    process.kill(second, 'SIGKILL');
    await waitFor('the second crash report', () =>
      /\[orders\]\s+exited \(SIGKILL\); restarting in 2 s/.test(output),
    );
    await waitFor(
      'the second restart',
      () => (output.match(/\[orders\]\s+restarted and ready/g) ?? []).length === 2,
      30_000,
    );
    pids.push(await pidOf(ports.orders));
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
    const code = await exited;
    rmSync(dataDir, { recursive: true, force: true });
    expect(code).toBe(0);
  }
  for (const port of Object.values(ports))
    expect(await isHealthy(`http://127.0.0.1:${port}`)).toBe(false);
  for (const pid of pids) expect(isAlive(pid)).toBe(false);
}, 150_000);

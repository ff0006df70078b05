/**
 * `npm start` as a real process tree: a service killed with SIGKILL is reported and restarted
 * with growing backoff while the others keep answering, and Ctrl-C (SIGINT to the whole process
 * group, as a terminal sends it) still stops everything with exit code 0; services whose
 * supervisor is killed outright stop themselves.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '@fedstack/kit';
import {
  descendantsOf,
  freePort,
  isAlive,
  isHealthy,
  postGraphQL,
  runNpm,
  SUBGRAPH_NAMES,
  waitFor,
  type ByService,
  type Exit,
} from '../helpers/processes';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

async function pidOf(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/health`);
  return ((await response.json()) as { pid: number }).pid;
}

/** The pid of each service, from the supervisor's `[name] started (pid N)` lines, in order. */
function startedPids(output: string): Array<[string, number]> {
  return [...output.matchAll(/^\[([\w-]+)\]\s+started \(pid (\d+)\)$/gm)].map((match) => [
    match[1]!,
    Number(match[2]),
  ]);
}

/** Free ports for the gateway and every subgraph of supergraph.yaml, and npm start's env. */
async function startEnv(dataDir: string) {
  const names = ['gateway', ...SUBGRAPH_NAMES];
  const free = await Promise.all(names.map(() => freePort()));
  const ports = Object.fromEntries(
    names.map((name, i) => [name, Number(free[i])]),
  ) as ByService<number>;
  const env: Env = {
    NODE_ENV: 'development',
    DATA_DIR: dataDir,
    GATEWAY_PORT: String(ports.gateway),
    ...Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [subgraphVariables(name).port, String(ports[name])]),
    ),
    LOG_LEVEL: 'warn',
  };
  return { ports, env };
}

it('restarts a killed service with backoff, keeps the others up, and stops everything on Ctrl-C', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-supervise-'));
  const { ports, env } = await startEnv(dataDir);
  // Its own process group, so the test can signal the whole tree as a terminal's Ctrl-C does.
  const npm = runNpm('start', env, { detached: true });
  const output = () => npm.output();
  const pids: number[] = [];
  let exit: Exit | undefined;
  try {
    await waitFor('npm start to be ready', () => output().includes('Press Ctrl-C to stop'), 90_000);
    const first = await pidOf(ports.orders);
    expect(startedPids(output()).find(([name]) => name === 'orders')).toEqual(['orders', first]);
    pids.push(...descendantsOf(npm.child.pid!));
    expect(pids).toEqual(expect.arrayContaining(startedPids(output()).map(([, pid]) => pid)));

    process.kill(first, 'SIGKILL');
    await waitFor('the crash report', () =>
      /\[orders\]\s+exited \(SIGKILL\); restarting in 1 s/.test(output()),
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

    await waitFor('the restart', () => /\[orders\]\s+restarted and ready/.test(output()), 30_000);
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
      /\[orders\]\s+exited \(SIGKILL\); restarting in 2 s/.test(output()),
    );
    await waitFor(
      'the second restart',
      () => (output().match(/\[orders\]\s+restarted and ready/g) ?? []).length === 2,
      30_000,
    );
    pids.push(await pidOf(ports.orders));
  } finally {
    if (npm.child.exitCode === null) process.kill(-npm.child.pid!, 'SIGINT');
    exit = await npm.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
  expect(exit).toEqual({ code: 0, signal: null });
  for (const port of Object.values(ports))
    expect(await isHealthy(`http://127.0.0.1:${port}`)).toBe(false);
  expect(pids.filter(isAlive)).toEqual([]);
}, 150_000);

it('services stop themselves when the npm start process is killed outright (SIGKILL)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-supervise-'));
  const { ports, env } = await startEnv(dataDir);
  const npm = runNpm('start', env);
  let services: number[] = [];
  try {
    await waitFor(
      'npm start to be ready',
      () => npm.output().includes('Press Ctrl-C to stop'),
      90_000,
    );
    services = startedPids(npm.output()).map(([, pid]) => pid);
    // Every subgraph of supergraph.yaml, and the gateway.
    expect(services).toHaveLength(SUBGRAPH_NAMES.length + 1);
    expect(services.filter((pid) => !isAlive(pid))).toEqual([]);
    // With exec in the npm script, npm's only child is the supervisor itself.
    const [supervisor] = descendantsOf(npm.child.pid!);
    expect(descendantsOf(supervisor!)).toEqual(expect.arrayContaining(services));

    // While they run, each subgraph holds its database open, write-ahead log and all.
    for (const name of ['users', 'orders', 'suppliers'])
      expect(existsSync(join(dataDir, `${name}.sqlite-wal`))).toBe(true);

    process.kill(supervisor!, 'SIGKILL');
    await waitFor('every service to stop', () => services.every((pid) => !isAlive(pid)), 30_000);
    // Each subgraph drained and closed its database: SQLite removes the write-ahead log then.
    for (const name of ['users', 'orders', 'suppliers'])
      expect(existsSync(join(dataDir, `${name}.sqlite-wal`))).toBe(false);
    for (const port of Object.values(ports))
      expect(await isHealthy(`http://127.0.0.1:${port}`)).toBe(false);
  } finally {
    for (const pid of [npm.child.pid!, ...services]) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 150_000);

/**
 * `npm start` and `npm run gateway` as an operator runs them: real npm processes, signals sent to
 * the npm process alone (as `timeout`, systemd and process managers send them), and every process
 * below npm checked before and after.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
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
  serviceOf,
  SUBGRAPH_NAMES,
  waitFor,
  type ByService,
  type Exit,
  type NpmProcess,
} from './helpers/processes';
import { productionSecrets } from './helpers/stack';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

/** Every subgraph of supergraph.yaml, in the order npm start starts them, then the gateway. */
const SERVICES = [...SUBGRAPH_NAMES, 'gateway'];
type Ports = ByService<number>;

async function freePorts(): Promise<Ports> {
  const ports = await Promise.all(SERVICES.map(() => freePort()));
  return Object.fromEntries(SERVICES.map((name, i) => [name, ports[i]])) as Ports;
}

function startEnv(dataDir: string, ports: Ports): Env {
  return {
    NODE_ENV: 'development',
    DATA_DIR: dataDir,
    GATEWAY_PORT: String(ports.gateway),
    ...Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [subgraphVariables(name).port, String(serviceOf(ports, name))]),
    ),
    LOG_LEVEL: 'warn',
  };
}

/** The pid of each service, from the supervisor's `[name] started (pid N)` lines. */
function servicePids(output: string): Map<string, number> {
  const pids = new Map<string, number>();
  for (const match of output.matchAll(/^\[([\w-]+)\]\s+started \(pid (\d+)\)$/gm))
    pids.set(match[1]!, Number(match[2]));
  return pids;
}

/** `exited`, or a failure naming `what` after `ms`. */
function within(ms: number, exited: Promise<Exit>, what: string): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    exited,
    new Promise<Exit>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not exit within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Kills (by id) whatever a failed test left running. */
function killLeftovers(pids: Iterable<number>): void {
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

describe('npm start', () => {
  it('starts all four services, answers a cross-subgraph query, and on SIGTERM to the npm process alone stops every one and exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-start-'));
    const ports = await freePorts();
    const npm = runNpm('start', startEnv(dataDir, ports));
    let tree: number[] = [];
    try {
      await waitFor(
        'npm start to be ready',
        () => {
          if (npm.child.exitCode !== null) throw new Error(`npm start exited:\n${npm.output()}`);
          return npm.output().includes('Press Ctrl-C to stop');
        },
        90_000,
      );
      expect(npm.output()).toContain(`http://localhost:${ports.gateway}/graphql`);
      expect(npm.output()).toMatch(/alice\s+\/\s+alice-password/);

      const gateway = `http://127.0.0.1:${ports.gateway}/graphql`;
      const login = await postGraphQL<{ login: { accessToken: string } }>(
        gateway,
        'mutation { login(username: "alice", password: "alice-password") { accessToken } }',
      );
      expect(login.body.errors).toBeUndefined();
      const token = login.body.data?.login.accessToken;
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const me = await postGraphQL<{
        me: { username: string; orders: Array<{ supplier: { createdBy: unknown } }> };
      }>(
        gateway,
        '{ me { username orders { item supplier { name createdBy { username } } } suppliers { name } } }',
        {},
        { authorization: `Bearer ${token}` },
      );
      expect(me.body.errors).toBeUndefined();
      expect(me.body.data?.me.username).toBe('alice');
      expect(me.body.data?.me.orders.length).toBeGreaterThan(0);

      // Every service runs below the npm process, alive, before the signal.
      const pids = servicePids(npm.output());
      expect([...pids.keys()].sort()).toEqual([...SERVICES].sort());
      tree = descendantsOf(npm.child.pid!);
      expect(tree).toEqual(expect.arrayContaining([...pids.values()]));
      expect(tree.filter((pid) => !isAlive(pid))).toEqual([]);

      npm.child.kill('SIGTERM');
      expect(await within(30_000, npm.exited, 'npm start')).toEqual({ code: 0, signal: null });
      expect(tree.filter(isAlive)).toEqual([]);
      for (const name of SERVICES) expect(npm.output()).toContain(`${name}: stopped`);
      for (const port of Object.values(ports))
        expect(await isHealthy(`http://127.0.0.1:${port}`)).toBe(false);
    } finally {
      killLeftovers([npm.child.pid!, ...tree, ...servicePids(npm.output()).values()]);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);

  it('fails with one line naming the service and port, and exits non-zero, when another program answers 200 on that port', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-start-'));
    const ports = await freePorts();
    // A foreign program on the orders port (all interfaces, as the services bind) that answers
    // 200 to everything, /health included.
    const foreign = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    });
    await new Promise<void>((resolve) => foreign.listen(ports.orders, resolve));
    let npm: NpmProcess | undefined;
    try {
      expect(await isHealthy(`http://127.0.0.1:${ports.orders}`)).toBe(true);
      npm = runNpm('start', startEnv(dataDir, ports));
      const exit = await within(90_000, npm.exited, 'npm start');
      const output = npm.output();
      expect(exit).toEqual({ code: 1, signal: null });
      expect(output).toContain(
        `npm start failed: orders failed to start: port ${ports.orders} is already in use by another program\n`,
      );
      expect(output).not.toContain('Press Ctrl-C to stop');

      // The services started before it were stopped; the gateway was never started.
      const pids = servicePids(output);
      expect([...pids.keys()]).toEqual(
        SUBGRAPH_NAMES.slice(0, SUBGRAPH_NAMES.indexOf('orders') + 1),
      );
      expect([...pids.values()].filter(isAlive)).toEqual([]);
      expect(await isHealthy(`http://127.0.0.1:${ports.users}`)).toBe(false);
      // The other program was left alone.
      expect(await isHealthy(`http://127.0.0.1:${ports.orders}`)).toBe(true);
    } finally {
      if (npm) killLeftovers([npm.child.pid!, ...servicePids(npm.output()).values()]);
      await new Promise((resolve) => foreign.close(resolve));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('npm run gateway', () => {
  it('in production with METRICS_PORT, stops the gateway and its metrics server on SIGTERM to the npm process alone, and exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-gateway-'));
    const [port, metricsPort] = [await freePort(), await freePort()];
    const npm = runNpm('gateway', {
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      GATEWAY_PORT: String(port),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
      ...productionSecrets(),
    });
    let tree: number[] = [];
    try {
      await waitFor('the gateway', async () => {
        if (npm.child.exitCode !== null)
          throw new Error(`npm run gateway exited:\n${npm.output()}`);
        return isHealthy(`http://127.0.0.1:${port}`);
      });
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.status).toBe(200);
      tree = descendantsOf(npm.child.pid!);
      expect(tree.length).toBeGreaterThan(0);
      expect(tree.filter((pid) => !isAlive(pid))).toEqual([]);

      npm.child.kill('SIGTERM');
      expect(await within(20_000, npm.exited, 'npm run gateway')).toEqual({
        code: 0,
        signal: null,
      });
      expect(npm.output()).toContain('gateway: SIGTERM received, draining');
      expect(npm.output()).toContain('gateway: stopped');
      expect(tree.filter(isAlive)).toEqual([]);
      expect(await isHealthy(`http://127.0.0.1:${port}`)).toBe(false);
      await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
    } finally {
      killLeftovers([npm.child.pid!, ...tree]);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

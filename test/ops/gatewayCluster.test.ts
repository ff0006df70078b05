/**
 * GATEWAY_WORKERS: the gateway as a `node:cluster` primary with workers on one port, as real
 * processes. Both workers serve, a killed worker is replaced, and SIGTERM to the primary drains
 * every worker (a request in flight is answered) and exits 0.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  baseEnv,
  descendantsOf,
  freePort,
  ROOT,
  spawnService,
  isAlive,
  postGraphQL,
  sleep,
  startProcessStack,
  waitFor,
  type ProcessStack,
} from '../helpers/processes';

const WORKERS = 2;

let stack: ProcessStack;

beforeAll(async () => {
  stack = await startProcessStack({
    gatewayEnv: { GATEWAY_WORKERS: String(WORKERS) },
    subgraphEnv: { suppliers: { TEST_SUBGRAPH_DELAY_MS: '1500' } },
  });
});
afterAll(() => stack.stop());

/** The workers of the gateway primary: its child processes running node. */
function workersOf(pid: number): number[] {
  return descendantsOf(pid).filter((child) => {
    try {
      return execFileSync('ps', ['-o', 'ppid=,comm=', '-p', String(child)], { encoding: 'utf8' })
        .trim()
        .match(new RegExp(`^${pid}\\s+node$`));
    } catch {
      return false;
    }
  });
}

/** The worker ids in the gateway's access-log lines so far. */
function servingWorkers(): Set<unknown> {
  return new Set(
    stack.services.gateway
      .logs()
      .filter((line) => line.msg === 'request completed')
      .map((line) => line.worker),
  );
}

/** Asks the gateway for `__typename` on a connection of its own. */
async function askTypename(): Promise<{ status: number; body: unknown }> {
  const res = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

const TYPENAME = { status: 200, body: { data: { __typename: 'Query' } } };

it('runs GATEWAY_WORKERS workers on one port and both answer requests', async () => {
  const gateway = stack.services.gateway;
  // /health answers once the first worker listens; the primary says when all of them do.
  await waitFor('the primary to report every worker ready', async () =>
    gateway.logs().some((line) => line.msg === 'gateway workers ready'),
  );
  expect(workersOf(gateway.child.pid!)).toHaveLength(WORKERS);
  // Many connections at once: the primary hands them to the workers in turn.
  const results = await Promise.all(Array.from({ length: 12 }, askTypename));
  for (const result of results) expect(result).toEqual(TYPENAME);
  await waitFor('access-log lines from both workers', async () => servingWorkers().size >= 2);
  expect([...servingWorkers()].sort()).toEqual([1, 2]);
});

it('replaces a worker that dies, and keeps serving meanwhile', async () => {
  const gateway = stack.services.gateway;
  const before = workersOf(gateway.child.pid!);
  const [victim, survivor] = before as [number, number];
  process.kill(victim, 'SIGKILL');
  await waitFor('the killed worker to be gone', async () => !isAlive(victim));
  await waitFor('the primary to notice', async () =>
    gateway.logs().some((line) => line.msg === 'gateway worker died; starting a new one'),
  );
  // Connections the dead worker held are lost; new ones go to the survivor.
  expect(await askTypename()).toEqual(TYPENAME);
  await waitFor(
    'a new worker in place of the killed one',
    async () => workersOf(gateway.child.pid!).length === WORKERS,
  );
  const after = workersOf(gateway.child.pid!);
  expect(after).toContain(survivor);
  expect(after).not.toContain(victim);
  // The replacement (the third worker the primary forked) reported itself ready.
  await waitFor('the new worker to be ready', async () =>
    gateway
      .logs()
      .some((line) => line.worker === 3 && String(line.msg).startsWith('gateway ready at')),
  );
});

it('on SIGTERM drains every worker, answers the request in flight and exits 0', async () => {
  const gateway = stack.services.gateway;
  const workers = workersOf(gateway.child.pid!);
  expect(workers).toHaveLength(WORKERS);
  const started = Date.now();
  // suppliers answers after 1.5 s: the request is in a worker when the signal comes.
  const inFlight = postGraphQL<{ suppliers: Array<{ name: string }> }>(
    stack.gatewayUrl,
    '{ suppliers { name } }',
    {},
    { connection: 'close' },
  );
  await sleep(500);
  gateway.child.kill('SIGTERM');
  const res = await inFlight;
  expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  expect(res.status).toBe(200);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data?.suppliers.length).toBeGreaterThan(0);
  expect(await gateway.exited).toEqual({ code: 0, signal: null });
  expect(gateway.stderr()).toContain('gateway: SIGTERM received, draining');
  expect(gateway.stderr()).toMatch(/gateway: stopped\n$/);
  for (const pid of workers) expect(isAlive(pid)).toBe(false);
});

it('fails to start, exit 1, when a worker cannot listen: the line names the port', async () => {
  const busyPort = await freePort();
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(busyPort, '127.0.0.1', resolve));
  const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-cluster-'));
  try {
    const gateway = await spawnService(
      'gateway',
      {
        ...baseEnv(dataDir),
        SUPERGRAPH_FILE: join(ROOT, 'supergraph.graphql'),
        TOKEN_REVOCATION_SUBGRAPH: 'none',
        GATEWAY_WORKERS: String(WORKERS),
      },
      { port: busyPort, waitHealthy: false },
    );
    expect(await gateway.exited).toEqual({ code: 1, signal: null });
    expect(gateway.stderr()).toContain(
      `gateway: failed to start: port ${busyPort} is already in use by another program`,
    );
    expect(gateway.stderr()).toMatch(
      /gateway: failed to start: gateway worker \d exited \(code 1\) before it was ready\n$/,
    );
  } finally {
    busy.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/**
 * SIGTERM to a real service process with a slow request in flight: it stops accepting new
 * connections, finishes the request, closes its database and exits 0; in production mode too.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  baseEnv,
  isHealthy,
  postGraphQL,
  preparedDataDir,
  signedPost,
  sleep,
  spawnService,
  startProcessStack,
  waitFor,
} from '../helpers/processes';
import { productionSecrets } from '../helpers/stack';

it('a subgraph finishes a slow in-flight request after SIGTERM, closes its database and exits 0', async () => {
  const { dataDir } = await preparedDataDir();
  const orders = await spawnService('orders', {
    ...baseEnv(dataDir),
    TEST_SUBGRAPH_DELAY_MS: '2000',
  });
  try {
    const started = Date.now();
    const inFlight = signedPost<{ orders: Array<{ id: string }> }>(
      dataDir,
      orders,
      '{ orders { id } }',
      {},
      { userId: '1', role: 'ADMIN' },
    );
    await sleep(500);
    orders.child.kill('SIGTERM');
    // Draining: no new connections, while the first request is still being answered.
    await waitFor('the subgraph to stop accepting', async () => !(await isHealthy(orders.origin)));
    expect(Date.now() - started).toBeLessThan(2000);

    const res = await inFlight;
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.orders.length).toBeGreaterThan(0);

    expect(await orders.exited).toEqual({ code: 0, signal: null });
    expect(orders.stderr()).toContain('orders: SIGTERM received, draining');
    expect(orders.logs().map((line) => line.msg)).toContain('drained and closed the database');
    // SQLite checkpoints and removes the write-ahead log when the last connection closes.
    expect(existsSync(join(dataDir, 'orders.sqlite-wal'))).toBe(false);
  } finally {
    await orders.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it('the gateway finishes an in-flight request whose subgraph is slow after SIGTERM, and exits 0', async () => {
  const stack = await startProcessStack({
    subgraphEnv: { suppliers: { TEST_SUBGRAPH_DELAY_MS: '2000' } },
  });
  try {
    const gateway = stack.services.gateway;
    const started = Date.now();
    const inFlight = postGraphQL<{ suppliers: Array<{ name: string }> }>(
      stack.gatewayUrl,
      '{ suppliers { name } }',
    );
    await sleep(500);
    gateway.child.kill('SIGTERM');
    await waitFor('the gateway to stop accepting', async () => !(await isHealthy(gateway.origin)));
    expect(Date.now() - started).toBeLessThan(2000);

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.suppliers.length).toBeGreaterThan(0);
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    expect(gateway.stderr()).toContain('gateway: SIGTERM received, draining');
  } finally {
    await stack.stop();
  }
});

it('in production (Apollo would install its own signal handlers), each subgraph drains on SIGTERM or SIGINT, closes its database and exits 0', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-shutdown-'));
  const env = { ...baseEnv(dataDir), NODE_ENV: 'production', ...productionSecrets() };
  const subgraphs = await Promise.all(
    (['users', 'orders', 'suppliers'] as const).map((name) => spawnService(name, env)),
  );
  try {
    const signals = { users: 'SIGTERM', orders: 'SIGINT', suppliers: 'SIGTERM' } as const;
    const exits = await Promise.all(
      subgraphs.map((service) => {
        // Control: up (it answered /health) with its database open, write-ahead log and all.
        expect(existsSync(join(dataDir, `${service.name}.sqlite-wal`))).toBe(true);
        service.child.kill(signals[service.name as keyof typeof signals]);
        return service.exited;
      }),
    );
    for (const [i, service] of subgraphs.entries()) {
      expect(exits[i]).toEqual({ code: 0, signal: null });
      const signal = signals[service.name as keyof typeof signals];
      // The one shutdown path ran to its end, rather than the process running out of work.
      expect(service.stderr()).toBe(
        `${service.name}: ${signal} received, draining\n${service.name}: stopped\n`,
      );
      expect(service.logs().map((line) => line.msg)).toContain('drained and closed the database');
      expect(existsSync(join(dataDir, `${service.name}.sqlite-wal`))).toBe(false);
    }
  } finally {
    await Promise.all(subgraphs.map((service) => service.stop('SIGKILL')));
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/**
 * SIGKILL in the middle of a write load: the orders subgraph, a real process on SQLite, restarts
 * with every write it acknowledged and a database that passes PRAGMA integrity_check.
 */
import { rmSync } from 'node:fs';
import {
  baseEnv,
  preparedDataDir,
  querySqlite,
  signedPost,
  spawnService,
  waitFor,
  type ServiceProcess,
} from '../helpers/processes';

it('keeps every acknowledged write across a SIGKILL mid-load', async () => {
  const { dataDir } = await preparedDataDir();
  // Each request is held 10 ms before it runs, so that requests are inside the server, on open
  // connections, when it is killed: a single-statement write alone is over too soon to be sure.
  const env = { ...baseEnv(dataDir), LOG_LEVEL: 'warn', TEST_SUBGRAPH_DELAY_MS: '10' };
  let orders: ServiceProcess = await spawnService('orders', env);
  const acknowledged: number[] = [];
  // How each unacknowledged request failed: an error code, or the HTTP status.
  const failures: string[] = [];
  let inFlight = 0;
  let killed = false;
  try {
    const worker = async (w: number) => {
      for (let i = 0; !killed; i += 1) {
        inFlight += 1;
        try {
          const res = await signedPost<{ createOrder: { id: string } }>(
            dataDir,
            orders,
            'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }',
            { input: { item: `crash-${w}-${i}`, quantity: 1 } },
            { userId: String(1 + (w % 3)), role: 'USER' },
          );
          const id = res.body.data?.createOrder.id;
          if (res.status === 200 && id !== undefined) acknowledged.push(Number(id));
          else failures.push(`HTTP ${res.status}`);
        } catch (error) {
          const cause = (error as { cause?: { code?: string } }).cause;
          failures.push(cause?.code ?? (error as Error).message);
        } finally {
          inFlight -= 1;
        }
      }
    };
    const load = Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
    await waitFor('200 acknowledged writes', () => acknowledged.length >= 200);
    expect(failures).toEqual([]);
    const inFlightAtKill = inFlight;
    orders.child.kill('SIGKILL');
    // No request starts after the kill, so every failure below is one the kill cut off.
    killed = true;
    expect(await orders.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await load;
    // Killed mid-load: requests were in flight, and some lost their connection half-way
    // (reset or closed, not refused as a request to a port nobody listens on would be).
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(failures.filter((code) => code !== 'ECONNREFUSED').length).toBeGreaterThan(0);
    expect(failures.length).toBeLessThanOrEqual(inFlightAtKill);

    orders = await spawnService('orders', env, { port: orders.port });
    const rows = await querySqlite<{ id: number }>(
      dataDir,
      'orders',
      "SELECT id FROM orders WHERE item LIKE 'crash-%'",
    );
    const stored = new Set(rows.map((row) => Number(row.id)));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(await querySqlite(dataDir, 'orders', 'PRAGMA integrity_check')).toEqual([
      { integrity_check: 'ok' },
    ]);

    // And it serves again, writes included.
    const after = await signedPost<{ createOrder: { id: string } }>(
      dataDir,
      orders,
      'mutation { createOrder(input: { item: "after-crash", quantity: 1 }) { id } }',
      {},
      { userId: '1', role: 'USER' },
    );
    expect(after.body.errors).toBeUndefined();
    expect(Number(after.body.data?.createOrder.id)).toBeGreaterThan(Math.max(...acknowledged));
  } finally {
    killed = true;
    await orders.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

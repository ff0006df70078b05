/**
 * Concurrent writes through the real gateway to real subgraph processes on SQLite: every write
 * succeeds and is stored; none fails with SQLITE_BUSY (WAL, a busy timeout, and one writer
 * transaction at a time per process).
 */
import {
  journalModeOf,
  querySqlite,
  startProcessStack,
  type ProcessStack,
} from '../helpers/processes';

let stack: ProcessStack;
beforeAll(async () => {
  // Access logs off: 500 requests would write thousands of lines for nothing here.
  stack = await startProcessStack({
    gatewayEnv: { LOG_LEVEL: 'warn' },
    subgraphEnv: {
      // All 100 registrations below come from one address, past the default per-address limit.
      users: { LOG_LEVEL: 'warn', REGISTER_IP_MAX: '1000' },
      orders: { LOG_LEVEL: 'warn' },
      suppliers: { LOG_LEVEL: 'warn' },
    },
  });
});
afterAll(() => stack?.stop());

function outputOfAll(): string {
  return Object.values(stack.services)
    .map((service) => service.stdout() + service.stderr())
    .join('\n');
}

it('stores all of 500 concurrent createOrder mutations from five users', async () => {
  const users: Array<{ accessToken: string; userId: string }> = await Promise.all(
    [
      ['admin', 'admin-password'],
      ['alice', 'alice-password'],
      ['bob', 'bob-password'],
    ].map(([username, password]) => stack.login(username ?? '', password ?? '')),
  );
  for (const name of ['dora', 'erin']) {
    const res = await stack.request<{ register: { accessToken: string; user: { id: string } } }>(
      'mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }',
      { i: { username: name, email: `${name}@example.com`, password: `${name}-password` } },
    );
    const register = res.body.data?.register;
    if (!register) throw new Error(JSON.stringify(res.body));
    users.push({ accessToken: register.accessToken, userId: register.user.id });
  }
  const [{ before = 0 } = {}] = await querySqlite<{ before: number }>(
    stack.dataDir,
    'orders',
    'SELECT COUNT(*) AS before FROM orders',
  );

  const results = await Promise.all(
    Array.from({ length: 500 }, (_, i) => {
      const user = users[i % users.length];
      return stack.request<{ createOrder: { id: string; quantity: number } }>(
        'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id quantity } }',
        { input: { item: `load-${i}`, quantity: i + 1 } },
        { token: user?.accessToken },
      );
    }),
  );

  const failures = results.filter((res) => res.status !== 200 || res.body.errors);
  expect(failures.map((res) => res.body.errors)).toEqual([]);
  const ids = results.map((res) => res.body.data?.createOrder.id);
  expect(new Set(ids).size).toBe(500);

  const rows = await querySqlite<{ userId: string; n: number }>(
    stack.dataDir,
    'orders',
    "SELECT userId, COUNT(*) AS n FROM orders WHERE item LIKE 'load-%' GROUP BY userId",
  );
  expect(rows.map((row) => [row.userId, row.n]).sort()).toEqual(
    users.map((user) => [user.userId, 100]).sort(),
  );
  const [{ after = 0 } = {}] = await querySqlite<{ after: number }>(
    stack.dataDir,
    'orders',
    'SELECT COUNT(*) AS after FROM orders',
  );
  expect(after - before).toBe(500);
  expect(outputOfAll()).not.toMatch(/SQLITE_BUSY|database is locked/);
});

// Each register hashes a password with argon2id (19 MiB, by design slow: tens of ms of CPU),
// so 100 at once already keeps the users subgraph's writer queue and the hashing pool full for
// a few seconds on two cores; more would test argon2's speed rather than the storage.
it('stores all of 100 concurrent registrations', async () => {
  const [{ before = 0 } = {}] = await querySqlite<{ before: number }>(
    stack.dataDir,
    'users',
    'SELECT COUNT(*) AS before FROM users',
  );
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      stack.request<{ register: { accessToken: string; user: { id: string } } }>(
        'mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }',
        {
          i: {
            username: `burst-${i}`,
            email: `burst-${i}@example.com`,
            password: 'burst-password',
          },
        },
      ),
    ),
  );
  expect(
    results.filter((res) => res.status !== 200 || res.body.errors).map((res) => res.body),
  ).toEqual([]);
  expect(new Set(results.map((res) => res.body.data?.register.user.id)).size).toBe(100);
  const [{ after = 0 } = {}] = await querySqlite<{ after: number }>(
    stack.dataDir,
    'users',
    'SELECT COUNT(*) AS after FROM users',
  );
  expect(after - before).toBe(100);
  const [{ burst = 0 } = {}] = await querySqlite<{ burst: number }>(
    stack.dataDir,
    'users',
    "SELECT COUNT(*) AS burst FROM users WHERE username LIKE 'burst-%'",
  );
  expect(burst).toBe(100);
  expect(outputOfAll()).not.toMatch(/SQLITE_BUSY|database is locked/);
});

it('runs SQLite in WAL mode, and every kit connection waits for locks', async () => {
  for (const service of ['users', 'orders', 'suppliers']) {
    expect(await journalModeOf(stack.dataDir, service)).toBe('wal');
  }
  // busy_timeout belongs to a connection: check the one the kit opens, as the services do.
  const [timeout] = await querySqlite<{ timeout: number }>(
    stack.dataDir,
    'orders',
    'PRAGMA busy_timeout',
  );
  expect(timeout?.timeout).toBe(5000);
});

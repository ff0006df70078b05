/**
 * A wrong setting stops a real service at start with exit code 1 and exactly one line on stderr
 * naming the problem: no stack trace, no error logged, nothing listening.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  ROOT,
  spawnService,
  type ServiceName,
  type ServiceProcess,
} from '../helpers/processes';

let dir: string;
let busy: Server;
let busyPort: number;
/** A port nothing listens on: connections are refused at once. */
let closedPort: number;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fedstack-config-'));
  writeFileSync(join(dir, 'a-file'), 'not a directory');
  mkdirSync(join(dir, 'corrupt'));
  writeFileSync(
    join(dir, 'corrupt', 'orders.sqlite'),
    'this is not an SQLite database file at all',
  );
  writeFileSync(join(dir, 'junk.graphql'), 'not graphql {{{');
  writeFileSync(join(dir, 'plain.graphql'), 'type Query { hello: String }');
  const supergraph = readFileSync(join(ROOT, 'supergraph.graphql'), 'utf8');
  // Parses and names its subgraphs, but is not a valid supergraph.
  writeFileSync(
    join(dir, 'invalid.graphql'),
    supergraph.replace('type Query', 'type Query @join__type(graph: NOWHERE)'),
  );
  closedPort = await freePort();
  busyPort = await freePort();
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(busyPort, resolve));
});
afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const cases: Array<[string, ServiceName, () => Record<string, string>, RegExp]> = [
  [
    'DATA_DIR that is not a directory',
    'orders',
    () => ({ DATA_DIR: join(dir, 'a-file', 'data') }),
    /^DATA_DIR ".*a-file\/data" is not a writable directory \(ENOTDIR/,
  ],
  [
    'a database URL that is not PostgreSQL',
    'orders',
    () => ({ ORDERS_DATABASE_URL: 'mysql://user:secret@db.example/orders' }),
    /^ORDERS_DATABASE_URL must be a postgres:\/\/ URL, got "db.example\/orders"$/,
  ],
  [
    'a PostgreSQL server that is not there',
    'orders',
    () => ({ ORDERS_DATABASE_URL: `postgres://user:secret@127.0.0.1:${closedPort}/orders` }),
    /^cannot open the orders database at ORDERS_DATABASE_URL \(postgres:\/\/user:\*\*\*@127\.0\.0\.1:\d+\/orders\): /,
  ],
  [
    'a database file that is not SQLite',
    'orders',
    () => ({ DATA_DIR: join(dir, 'corrupt') }),
    /^cannot open the orders database at .*orders\.sqlite: SQLITE_NOTADB: file is not a database$/,
  ],
  [
    'a port already in use',
    'suppliers',
    () => ({ SUPPLIERS_PORT: String(busyPort) }),
    /^port \d+ is already in use by another program$/,
  ],
  [
    'the test delay hook outside tests',
    'users',
    () => ({ NODE_ENV: 'development', TEST_SUBGRAPH_DELAY_MS: '100' }),
    /^TEST_SUBGRAPH_DELAY_MS is a test hook and needs NODE_ENV=test, got NODE_ENV=development$/,
  ],
  [
    'a production start without any secret',
    'users',
    () => ({ NODE_ENV: 'production' }),
    /^GATEWAY_SIGNING_SECRET or GATEWAY_SIGNING_SECRET_FILE is required when NODE_ENV=production, and so is JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE; npm run secrets creates a set and prints the variables to set$/,
  ],
  [
    'a production gateway without any secret',
    'gateway',
    () => ({ NODE_ENV: 'production' }),
    /^JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE is required when NODE_ENV=production, and so is GATEWAY_SIGNING_SECRET or GATEWAY_SIGNING_SECRET_FILE; npm run secrets/,
  ],
  [
    'a production subgraph with one secret of two',
    'users',
    () => ({ NODE_ENV: 'production', GATEWAY_SIGNING_SECRET: 'a'.repeat(40) }),
    /^JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE is required when NODE_ENV=production; npm run secrets/,
  ],
  [
    'an operation name list that is not names',
    'orders',
    () => ({ METRICS_OPERATIONS: 'MyOrders,my orders' }),
    /^METRICS_OPERATIONS must be \* or a comma list of GraphQL operation names, got "my orders"$/,
  ],
  [
    'a missing public key file',
    'gateway',
    () => ({ JWT_PUBLIC_KEY_FILE: '/nonexistent/jwt-public.pem' }),
    /^JWT_PUBLIC_KEY_FILE "\/nonexistent\/jwt-public.pem" cannot be read \(ENOENT/,
  ],
  [
    'a missing supergraph',
    'gateway',
    () => ({ SUPERGRAPH_FILE: join(dir, 'missing.graphql') }),
    /^SUPERGRAPH_FILE ".*missing\.graphql" cannot be read \(ENOENT.*\); run npm run compose$/,
  ],
  [
    'a supergraph that does not parse',
    'gateway',
    () => ({ SUPERGRAPH_FILE: join(dir, 'junk.graphql') }),
    /^SUPERGRAPH_FILE ".*junk\.graphql" is not a composed supergraph: Syntax Error/,
  ],
  [
    'a plain schema instead of a supergraph',
    'gateway',
    () => ({ SUPERGRAPH_FILE: join(dir, 'plain.graphql') }),
    /^SUPERGRAPH_FILE ".*plain\.graphql" is not a composed supergraph: expected a composed supergraph/,
  ],
  [
    'an invalid supergraph',
    'gateway',
    () => ({ SUPERGRAPH_FILE: join(dir, 'invalid.graphql') }),
    /^SUPERGRAPH_FILE ".*invalid\.graphql" is not a valid supergraph: .*@join__type/,
  ],
];

/** Every case started at once (each is a process that exits within seconds), then checked. */
let results: Map<string, ServiceProcess>;
beforeAll(async () => {
  const started = await Promise.all(
    cases.map(async ([label, name, env]) => {
      const service = await spawnService(
        name,
        {
          NODE_ENV: 'test',
          DATA_DIR: join(dir, 'data'),
          SUPERGRAPH_FILE: join(ROOT, 'supergraph.graphql'),
          LOG_FORMAT: 'json',
          ...env(),
        },
        { waitHealthy: false, ...(name === 'suppliers' ? { port: busyPort } : {}) },
      );
      // A service that started after all must not outlive the test.
      const timer = setTimeout(() => service.child.kill('SIGKILL'), 30_000);
      await service.exited;
      clearTimeout(timer);
      return [label, service] as const;
    }),
  );
  results = new Map(started);
});

it.each(cases)('%s stops %s with one line', async (label, name, _env, expected) => {
  const service = results.get(label);
  if (!service) throw new Error(`no result for ${label}`);
  expect(await service.exited).toEqual({ code: 1, signal: null });
  const lines = service.stderr().split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  const prefix = `${name}: failed to start: `;
  expect(lines[0]?.startsWith(prefix)).toBe(true);
  expect(lines[0]?.slice(prefix.length)).toMatch(expected);
  // The PostgreSQL password of the URL case is never printed.
  expect(lines[0]).not.toContain(':secret@');
  expect(lines[0]).not.toContain('aaaaaaaa');
  // Nothing half-started: no error logged with a stack, no "listening" or "ready" line.
  expect(service.stdout()).not.toMatch(/"level":50|\n\s+at |listening|ready at/);
});

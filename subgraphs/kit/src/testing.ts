import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sequelize } from 'sequelize';
import type { Env } from '@fedstack/runtime/config';
import type { SubgraphBaseConfig } from './config';
import type { Database } from './database';
import {
  migrateSubgraph,
  openSubgraphDatabase,
  type SeedRefs,
  type SubgraphDefinition,
} from './definition';
import { signEnvelope } from '@fedstack/envelope/envelope';
import { createLogger, type Logger } from '@fedstack/runtime/logger';
import { createMigrator, type Migration } from './migrator';
import type { SubgraphServer } from './subgraphServer';
import type { Viewer } from './viewer';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

/** A GraphQL response as a test reads it. */
export interface TestResponse<TData = Record<string, unknown>> {
  status: number;
  body: {
    data?: TData | null;
    errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
  };
}

export interface TestSubgraph<TConfig extends SubgraphBaseConfig> {
  url: string;
  config: TConfig;
  db: Database;
  /** Every SQL statement the subgraph ran, in order; tests may clear it with `sql.length = 0`. */
  sql: string[];
  /** Sends a gateway-signed request carrying `viewer` (anonymous when null). */
  query<TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    viewer?: Viewer | null,
  ): Promise<TestResponse<TData>>;
  stop(): Promise<void>;
}

/** The database engines a subgraph test can run on. */
export type TestDatabase = 'sqlite' | 'postgres';

/**
 * `TEST_POSTGRES_URL`: an admin URL of a throwaway PostgreSQL server (the `postgres` database of a
 * role that may create databases), as `bash scripts/test-postgres.sh start` prints. Test-only: no
 * service reads it.
 */
export function testPostgresUrl(): string | undefined {
  const url = process.env.TEST_POSTGRES_URL?.trim();
  return url ? url : undefined;
}

/** Why the PostgreSQL variants of the tests do not run, or undefined when they do. */
export function postgresSkipReason(): string | undefined {
  return testPostgresUrl()
    ? undefined
    : 'TEST_POSTGRES_URL is not set (start a throwaway server with `eval "$(bash scripts/test-postgres.sh start)"`)';
}

/**
 * The databases every subgraph suite runs on, for `describe.each(testDatabases())`: always
 * `sqlite`, plus `postgres` when `TEST_POSTGRES_URL` is set.
 */
export function testDatabases(): TestDatabase[] {
  return testPostgresUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A database created for one test on the `TEST_POSTGRES_URL` server. */
export interface TestPostgresDatabase {
  /** `postgres://` URL of the new, empty database, for `<NAME>_DATABASE_URL`. */
  url: string;
  name: string;
  /** Drops the database, closing any connection still open to it. Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, empty database with a unique name (`<prefix>_<random>`, prefix default
 * `fedstack_test`) on the `TEST_POSTGRES_URL` server; the caller drops it when done. Throws, naming
 * the variable, when `TEST_POSTGRES_URL` is not set. A subgraph's name may be the prefix: each run
 * of characters other than lower-case letters, digits and `_` becomes one `_`
 * (`product-reviews_test` → `product_reviews_test`).
 */
export async function createTestPostgresDatabase(
  prefix = 'fedstack_test',
): Promise<TestPostgresDatabase> {
  const adminUrl = testPostgresUrl();
  if (!adminUrl) {
    throw new Error(`a PostgreSQL test needs a server: ${postgresSkipReason() ?? ''}`);
  }
  const safe = prefix.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
  if (!/^[a-z_]/.test(safe)) {
    throw new Error(`prefix must start with a letter or _, got "${prefix}"`);
  }
  const name = `${safe}_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropping: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop() {
      dropping ??= adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      return dropping;
    },
  };
}

/** Runs one statement on the admin database over a connection of its own. */
async function adminQuery(adminUrl: string, statement: string): Promise<void> {
  const admin = new Sequelize(adminUrl, {
    dialect: 'postgres',
    logging: false,
    pool: { max: 1 },
    dialectOptions: { connectionTimeoutMillis: 10_000 },
  });
  try {
    await admin.query(statement);
  } finally {
    await admin.close();
  }
}

/**
 * Starts one subgraph for a test: a temporary DATA_DIR, a migrated database (optionally seeded),
 * the real HTTP server on a free loopback port, and a client that signs like the gateway.
 * `database` (default `sqlite`) picks the engine: `sqlite` is a file in the DATA_DIR, `postgres` a
 * fresh database on the `TEST_POSTGRES_URL` server, passed as `<NAME>_DATABASE_URL` and dropped by
 * `stop()`.
 */
export async function startTestSubgraph<TConfig extends SubgraphBaseConfig>(
  definition: SubgraphDefinition<TConfig>,
  options: { env?: Env; seed?: SeedRefs | false; database?: TestDatabase } = {},
): Promise<TestSubgraph<TConfig>> {
  const dataDir = mkdtempSync(join(tmpdir(), `${definition.name}-test-`));
  const postgres =
    options.database === 'postgres'
      ? await createTestPostgresDatabase(`${definition.name}_test`)
      : undefined;
  const cleanUp = async () => {
    await postgres?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let config: TConfig;
  let db: Database;
  let server: SubgraphServer;
  let port: number;
  const sql: string[] = [];
  try {
    config = definition.readConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ...(postgres ? { [subgraphVariables(definition.name).databaseUrl]: postgres.url } : {}),
      ...options.env,
    });
    const logger = createLogger({ service: definition.name, level: 'silent', format: 'json' });
    db = await openSubgraphDatabase(config, (statement) => sql.push(statement));
    try {
      await migrateSubgraph(definition as unknown as SubgraphDefinition, db);
      if (options.seed !== false && options.seed !== undefined)
        await definition.seed(db, options.seed, logger);
      server = await definition.createServer({ config, db, logger });
      port = await server.listen(0, '127.0.0.1');
    } catch (error) {
      await db.close();
      throw error;
    }
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const url = `http://127.0.0.1:${port}/graphql`;
  sql.length = 0;
  return {
    url,
    config,
    db,
    sql,
    async query(query, variables, viewer = null) {
      const body = JSON.stringify({ query, variables });
      const headers = signEnvelope(config.signingSecret, {
        audience: config.service,
        identity: viewer ? { userId: viewer.id, role: viewer.role } : null,
        method: 'POST',
        body,
      });
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      return {
        status: response.status,
        body: (await response.json()) as TestResponse['body'],
      } as never;
    },
    async stop() {
      await server.stop();
      await db.close();
      await cleanUp();
    },
  };
}

/** Viewers for subgraph tests: three users and an admin, with ids no seed uses. */
export const TEST_VIEWERS = {
  alice: { id: 'user-alice', role: 'USER' },
  bob: { id: 'user-bob', role: 'USER' },
  carol: { id: 'user-carol', role: 'USER' },
  admin: { id: 'user-admin', role: 'ADMIN' },
} satisfies Record<string, Viewer>;

/** The codes of a response's errors, in order. */
export function errorCodes(response: TestResponse<unknown>): unknown[] {
  return (response.body.errors ?? []).map((error) => error.extensions?.code);
}

/** The SELECT statements among `sql` that read `table`. */
export function selectsFrom(sql: readonly string[], table: string): string[] {
  const from = new RegExp(`FROM [\`"]${table}[\`"]`);
  return sql.filter((statement) => /\bSELECT\b/i.test(statement) && from.test(statement));
}

/** The names of the tables in `db`, on SQLite and PostgreSQL alike. */
export async function tableNames(db: Database): Promise<string[]> {
  const names = (await db.sequelize.getQueryInterface().showAllTables()) as unknown[];
  return names.map((name) =>
    typeof name === 'string' ? name : String((name as { tableName: string }).tableName),
  );
}

/**
 * Runs every migration of `db` down to nothing and up again, and checks that `tables` go and come
 * back, with `indexes` (by name) on the first of them.
 */
export async function expectMigrationsRoundTrip(
  db: Database,
  migrations: Migration[],
  expected: { tables: string[]; indexes?: string[] },
): Promise<void> {
  const migrator = createMigrator(db, migrations);
  expect(await tableNames(db)).toEqual(expect.arrayContaining(expected.tables));
  const reverted = await migrator.down({ to: 0 });
  expect(reverted.map((migration) => migration.name)).toEqual(
    migrations.map((migration) => migration.name).reverse(),
  );
  const afterDown = await tableNames(db);
  for (const table of expected.tables) expect(afterDown).not.toContain(table);
  expect(await migrator.pending()).toHaveLength(migrations.length);
  const applied = await migrator.up();
  expect(applied.map((migration) => migration.name)).toEqual(
    migrations.map((migration) => migration.name),
  );
  expect(await tableNames(db)).toEqual(expect.arrayContaining(expected.tables));
  const [first] = expected.tables;
  if (expected.indexes && first) {
    const indexes = (await db.sequelize.getQueryInterface().showIndex(first)) as Array<{
      name: string;
    }>;
    expect(indexes.map((index) => index.name)).toEqual(expect.arrayContaining(expected.indexes));
  }
}

/** A silent logger whose `warn` is a mock, for checking that a seed warned. */
export function warnRecordingLogger(service: string): Logger & { warn: jest.Mock } {
  return Object.assign(createLogger({ service, level: 'silent', format: 'json' }), {
    warn: jest.fn(),
  });
}

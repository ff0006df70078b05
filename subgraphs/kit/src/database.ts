import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Mutex } from 'async-mutex';
import { GraphQLError } from 'graphql';
import { ConnectionError, Sequelize, type Transaction } from 'sequelize';
import type { PostgresSettings } from './config';
import { ErrorCode } from '@fedstack/runtime/errors';
import { histogram, statementLabel } from '@fedstack/runtime/metrics';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

const queryDuration = histogram({
  name: 'db_query_duration_seconds',
  help: 'Time each SQL statement took, by subgraph and statement kind',
  labelNames: ['service', 'statement'] as const,
});
const writeWait = histogram({
  name: 'db_write_wait_seconds',
  help: 'Time a write transaction waited for the per-process SQLite writer lock',
  labelNames: ['service'] as const,
});

export interface DatabaseOptions {
  /** The subgraph's name: the SQLite file is `<dataDir>/<service>.sqlite`. */
  service: string;
  dataDir: string;
  /** A `postgres://` URL; unset means SQLite in `dataDir`. */
  url?: string | undefined;
  /** Pool size, statement timeout and TLS for PostgreSQL (defaults as `readPostgresSettings`'s). */
  postgres?: PostgresSettings | undefined;
  /** Called with every SQL statement run, e.g. to count them in tests or log them. */
  onQuery?: (sql: string) => void;
  /** How long SQLite waits for a lock before failing, in ms; default 5 000. */
  busyTimeoutMs?: number;
}

/** A subgraph's database: the Sequelize instance plus the one way to write to it. */
export interface Database {
  sequelize: Sequelize;
  dialect: 'sqlite' | 'postgres';
  /**
   * Runs `work` in a transaction. On SQLite, Sequelize opens a connection per transaction and
   * concurrent writers would fail with SQLITE_BUSY, so writes in one process run one at a time;
   * PostgreSQL takes them concurrently, from any number of processes: there, correctness comes
   * from the transaction and the tables' constraints alone.
   */
  write<T>(work: (transaction: Transaction) => Promise<T>): Promise<T>;
  /**
   * Runs one statement that changes data, outside a transaction: a single statement is atomic on
   * its own. On SQLite it waits its turn with the other writes but runs on the shared connection,
   * where a transaction would open (and close) a connection of its own.
   */
  writeStatement<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

interface SqliteConnection {
  exec(sql: string, callback: (error: Error | null) => void): void;
  serialize(callback?: () => void): unknown;
  close(callback: (error: Error | null) => void): void;
}

/**
 * Sequelize's SQLite dialect makes an `Error` inside `serialize` for every statement and reads its
 * `stack` whether or not the statement fails; formatting that stack (through source maps, under
 * tsx) took about a third of the CPU time of a simple SELECT. Within `serialize` (synchronous),
 * errors capture no frames: a failing statement's error keeps its message and SQL, not the
 * JavaScript frames that issued it.
 */
function withoutStatementStacks(connection: SqliteConnection): void {
  const serialize = connection.serialize.bind(connection);
  connection.serialize = (callback) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return serialize(callback);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}

/**
 * Creates an SQLite file readable by its owner only (0600) unless it exists; SQLite gives the
 * `-wal` and `-shm` files the mode of the database file. Any failure is left to SQLite to report.
 */
function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch {
    // Already there, or the folder is not: opening the database says which.
  }
}

/**
 * Opens (and for SQLite, creates, mode 0600) the subgraph's database and checks that it answers.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  // With `benchmark`, Sequelize logs each statement once it has run, with its duration in ms.
  const logging = (sql: string, durationMs?: number) => {
    if (typeof durationMs === 'number') {
      queryDuration.observe(
        { service: options.service, statement: statementLabel(sql) },
        durationMs / 1000,
      );
    }
    options.onQuery?.(sql);
  };
  const storage = join(options.dataDir, `${options.service}.sqlite`);
  if (!options.url) createPrivateFile(storage);
  const postgres = { ...DEFAULT_POSTGRES, ...options.postgres };
  const sequelize = options.url
    ? new Sequelize(options.url, {
        dialect: 'postgres',
        logging,
        benchmark: true,
        pool: { max: postgres.poolMax },
        dialectOptions: {
          // A server that accepts but never answers fails the start in 10 s, not the pool's 60 s.
          connectionTimeoutMillis: 10_000,
          // Sent when each connection opens, so every statement on it is bounded.
          statement_timeout: postgres.statementTimeoutMs,
          ssl: sslOptions(postgres),
        },
      })
    : new Sequelize({
        dialect: 'sqlite',
        storage,
        logging,
        benchmark: true,
      });
  const dialect = options.url ? 'postgres' : 'sqlite';
  let dropWriter: (() => Promise<void>) | undefined;

  if (dialect === 'sqlite') {
    const busyTimeout = options.busyTimeoutMs ?? 5000;
    const pragmas = `PRAGMA journal_mode = WAL; PRAGMA busy_timeout = ${busyTimeout}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;`;
    // Every connection gets the same settings before its first statement. Sequelize's SQLite
    // dialect never runs `afterConnect` hooks, so the connection manager is wrapped instead.
    // Sequelize opens a connection per transaction and closes it after; here every transaction
    // runs on one writer connection, kept open: `write` runs them one at a time, and opening a
    // connection (file, WAL, settings) cost more than a short transaction itself.
    const manager = sequelize.connectionManager as unknown as {
      getConnection(options?: { uuid?: string }): Promise<SqliteConnection>;
      releaseConnection(connection: SqliteConnection, force?: boolean): void;
      connections: Record<string, SqliteConnection | undefined>;
    };
    const getConnection = manager.getConnection.bind(manager);
    const releaseConnection = manager.releaseConnection.bind(manager);
    const configured = new WeakMap<SqliteConnection, Promise<void>>();
    let writer: SqliteConnection | undefined;
    manager.releaseConnection = (connection, force) => {
      if (connection !== writer) releaseConnection(connection, force);
    };
    // After a failed transaction the writer is closed, as Sequelize would have closed it, so that
    // nothing a failure left behind (a transaction still open after a failed COMMIT) outlives it.
    dropWriter = async () => {
      const failed = writer;
      if (!failed) return;
      writer = undefined;
      if (manager.connections.writer === failed) delete manager.connections.writer;
      await new Promise<void>((resolve) => failed.close(() => resolve()));
    };
    manager.getConnection = async (connectionOptions) => {
      const forTransaction =
        connectionOptions?.uuid !== undefined && connectionOptions.uuid !== 'default';
      const connection = await getConnection(
        forTransaction ? { ...connectionOptions, uuid: 'writer' } : connectionOptions,
      );
      if (forTransaction) writer = connection;
      let ready = configured.get(connection);
      if (!ready) {
        withoutStatementStacks(connection);
        ready = new Promise<void>((resolve, reject) =>
          connection.exec(pragmas, (error) => (error ? reject(error) : resolve())),
        );
        configured.set(connection, ready);
      }
      await ready;
      return connection;
    };
  }

  try {
    await sequelize.authenticate();
  } catch (error) {
    await sequelize.close().catch(() => undefined);
    const where = options.url
      ? `${subgraphVariables(options.service).databaseUrl} (${redactUrl(options.url)})`
      : join(options.dataDir, `${options.service}.sqlite`);
    const tls =
      options.url && /\bSSL\b/i.test((error as Error).message)
        ? ` (DATABASE_SSL=${postgres.ssl})`
        : '';
    throw new Error(
      `cannot open the ${options.service} database at ${where}: ${(error as Error).message}${tls}`,
      { cause: error },
    );
  }
  const unavailable = (error: unknown): unknown =>
    dialect === 'postgres' && isConnectionFailure(error)
      ? databaseUnavailable(options.service, error)
      : error;
  if (dialect === 'postgres') {
    // Every statement (models and query interface included) goes through `query`.
    const query = sequelize.query.bind(sequelize) as (...args: unknown[]) => Promise<unknown>;
    (sequelize as unknown as { query: typeof query }).query = (...args) =>
      query(...args).catch((error: unknown) => {
        throw unavailable(error);
      });
  }
  const writers = new Mutex();
  const inTurn = <T>(run: () => Promise<T>): Promise<T> => {
    if (dialect !== 'sqlite') return run();
    const queued = performance.now();
    return writers.runExclusive(() => {
      writeWait.observe({ service: options.service }, (performance.now() - queued) / 1000);
      return run();
    });
  };
  let closing: Promise<void> | undefined;
  return {
    sequelize,
    dialect,
    write(work) {
      return inTurn(() =>
        sequelize
          .transaction((transaction) => work(transaction))
          .catch(async (error: unknown) => {
            await dropWriter?.();
            // Beginning the transaction takes a connection outside `query`.
            throw unavailable(error);
          }),
      );
    },
    writeStatement(work) {
      return inTurn(work);
    },
    close() {
      closing ??= sequelize.close();
      return closing;
    },
  };
}

const DEFAULT_POSTGRES: PostgresSettings = {
  poolMax: 10,
  statementTimeoutMs: 30_000,
  ssl: 'disable',
  sslCa: undefined,
};

/** node-postgres's `ssl` option for `DATABASE_SSL`. */
function sslOptions(
  settings: PostgresSettings,
): false | { rejectUnauthorized: boolean; ca?: string } {
  if (settings.ssl === 'disable') return false;
  if (settings.ssl === 'require') return { rejectUnauthorized: false };
  // Node checks the chain and the host name against the certificate.
  return settings.sslCa === undefined
    ? { rejectUnauthorized: true }
    : { rejectUnauthorized: true, ca: settings.sslCa };
}

/**
 * SQLSTATEs of a server that is going away or not yet back: class 08 (connection exception),
 * admin_shutdown, crash_shutdown and cannot_connect_now.
 */
const UNAVAILABLE_STATES = /^(08...|57P01|57P02|57P03)$/;
/** node-postgres's own words for a connection that broke under a statement. */
const BROKEN_CONNECTION =
  /Connection terminated|not queryable|ECONNRESET|ECONNREFUSED|EPIPE|Connection timed out/i;

/** Whether `error` says the server could not be reached, rather than that a statement was wrong. */
function isConnectionFailure(error: unknown): boolean {
  if (error instanceof GraphQLError) return false;
  if (error instanceof ConnectionError) return true;
  if (!(error instanceof Error)) return false;
  const parent = (error as Error & { parent?: { code?: unknown; message?: unknown } }).parent;
  if (typeof parent?.code === 'string' && UNAVAILABLE_STATES.test(parent.code)) return true;
  return BROKEN_CONNECTION.test(error.message);
}

/**
 * The error a client sees while the database is unreachable: code `DATABASE_UNAVAILABLE`, no
 * connection details (the driver's error stays as `originalError` for the log).
 */
function databaseUnavailable(service: string, error: unknown): GraphQLError {
  return new GraphQLError(`The ${service} database is unavailable; try again shortly`, {
    extensions: { code: ErrorCode.DATABASE_UNAVAILABLE },
    originalError: error instanceof Error ? error : undefined,
  });
}

/** A database URL without its password, fit for an error message. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparsable URL';
  }
}

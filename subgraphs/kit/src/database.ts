import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Mutex } from 'async-mutex';
import { Sequelize, type Transaction } from 'sequelize';
import { histogram, statementLabel } from './metrics';

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
   * PostgreSQL takes them concurrently.
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
  const sequelize = options.url
    ? new Sequelize(options.url, {
        dialect: 'postgres',
        logging,
        benchmark: true,
        pool: { max: 10 },
        // A server that accepts but never answers fails the start in 10 s, not the pool's 60 s.
        dialectOptions: { connectionTimeoutMillis: 10_000 },
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
      ? `${options.service.toUpperCase()}_DATABASE_URL (${redactUrl(options.url)})`
      : join(options.dataDir, `${options.service}.sqlite`);
    throw new Error(
      `cannot open the ${options.service} database at ${where}: ${(error as Error).message}`,
      { cause: error },
    );
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
            throw error;
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

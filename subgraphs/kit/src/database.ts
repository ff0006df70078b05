import { join } from 'node:path';
import { Mutex } from 'async-mutex';
import { Sequelize, type Transaction } from 'sequelize';

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
  close(): Promise<void>;
}

interface SqliteConnection {
  exec(sql: string, callback: (error: Error | null) => void): void;
}

/** Opens (and for SQLite, creates) the subgraph's database and checks that it answers. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const logging = options.onQuery ? (sql: string) => options.onQuery?.(sql) : false;
  const sequelize = options.url
    ? new Sequelize(options.url, { dialect: 'postgres', logging, pool: { max: 10 } })
    : new Sequelize({
        dialect: 'sqlite',
        storage: join(options.dataDir, `${options.service}.sqlite`),
        logging,
      });
  const dialect = options.url ? 'postgres' : 'sqlite';

  if (dialect === 'sqlite') {
    const busyTimeout = options.busyTimeoutMs ?? 5000;
    // Every connection (Sequelize opens one per transaction) gets the same settings.
    sequelize.addHook('afterConnect', async (connection: unknown) => {
      const db = connection as SqliteConnection;
      await new Promise<void>((resolve, reject) =>
        db.exec(
          `PRAGMA journal_mode = WAL; PRAGMA busy_timeout = ${busyTimeout}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;`,
          (error) => (error ? reject(error) : resolve()),
        ),
      );
    });
  }

  await sequelize.authenticate();
  const writers = new Mutex();
  let closing: Promise<void> | undefined;
  return {
    sequelize,
    dialect,
    write(work) {
      const run = () => sequelize.transaction((transaction) => work(transaction));
      return dialect === 'sqlite' ? writers.runExclusive(run) : run();
    },
    close() {
      closing ??= sequelize.close();
      return closing;
    },
  };
}

import { DataTypes, type QueryInterface } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import type { Database } from './database';
import type { Logger } from '@fedstack/runtime/logger';

export interface MigrationContext {
  queryInterface: QueryInterface;
  DataTypes: typeof DataTypes;
}

/** One versioned schema change; `name` starts with a timestamp so that order is by name. */
export interface Migration {
  name: string;
  up(context: MigrationContext): Promise<void>;
  down(context: MigrationContext): Promise<void>;
}

/**
 * The key of the PostgreSQL advisory lock held while migrations run (two int4s: "feds" and 1).
 * Advisory locks belong to one database, so subgraphs on databases of their own never wait for
 * each other.
 */
const MIGRATION_LOCK = [0x66656473, 1] as const;

interface PgClient {
  query(sql: string, values?: unknown[]): Promise<unknown>;
}

interface PgConnectionManager {
  config: unknown;
  connect(config: unknown): Promise<PgClient>;
  disconnect(connection: PgClient): Promise<void>;
}

/**
 * Runs `work` holding the migration lock, on a connection of its own beside the pool (so a pool of
 * one still has its connection for the migrations): replicas that start together on one database
 * migrate one after the other, and each later one finds nothing pending.
 */
async function withMigrationLock<T>(db: Database, work: () => Promise<T>): Promise<T> {
  const manager = db.sequelize.connectionManager as unknown as PgConnectionManager;
  const connection = await manager.connect(manager.config);
  try {
    await connection.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK]);
    try {
      return await work();
    } finally {
      await connection.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]);
    }
  } finally {
    // Closing the session would release the lock too, should unlocking have failed.
    await manager.disconnect(connection);
  }
}

/**
 * An Umzug migrator over the subgraph's database that records applied migrations in `SequelizeMeta`.
 * On PostgreSQL, `up` and `down` run under an advisory lock (`pg_advisory_lock`), so that several
 * processes starting at once on an empty database apply each migration exactly once.
 */
export function createMigrator(db: Database, migrations: Migration[], logger?: Logger) {
  const context: MigrationContext = { queryInterface: db.sequelize.getQueryInterface(), DataTypes };
  const migrator = new Umzug<MigrationContext>({
    migrations: migrations.map((migration) => ({
      name: migration.name,
      up: ({ context: ctx }) => migration.up(ctx),
      down: ({ context: ctx }) => migration.down(ctx),
    })),
    context,
    storage: new SequelizeStorage({ sequelize: db.sequelize }),
    logger: logger
      ? {
          info: (event) => logger.info(event, 'migration'),
          warn: (event) => logger.warn(event, 'migration'),
          error: (event) => logger.error(event, 'migration'),
          debug: (event) => logger.debug(event, 'migration'),
        }
      : undefined,
  });
  if (db.dialect === 'postgres') {
    const up = migrator.up.bind(migrator);
    const down = migrator.down.bind(migrator);
    migrator.up = (options) => withMigrationLock(db, () => up(options));
    migrator.down = (options) => withMigrationLock(db, () => down(options));
  }
  return migrator;
}

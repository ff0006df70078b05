import { DataTypes, type QueryInterface } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import type { Database } from './database';
import type { Logger } from './logger';

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

/** An Umzug migrator over the subgraph's database that records applied migrations in `SequelizeMeta`. */
export function createMigrator(db: Database, migrations: Migration[], logger?: Logger) {
  const context: MigrationContext = { queryInterface: db.sequelize.getQueryInterface(), DataTypes };
  return new Umzug<MigrationContext>({
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
}

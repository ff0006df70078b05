import type { Env } from '@fedstack/runtime/config';
import type { SubgraphBaseConfig } from './config';
import { openDatabase, type Database } from './database';
import { createLogger, type Logger } from '@fedstack/runtime/logger';
import { createMigrator, type Migration } from './migrator';
import type { SubgraphServer } from './subgraphServer';

/** User and supplier ids that one subgraph's development seed hands to the next one's. */
export interface SeedRefs {
  users?: { admin: string; alice: string; bob: string };
  supplierIds?: string[];
}

/**
 * Everything the tooling needs to know about one subgraph: `npm start`, the migrate and seed
 * scripts and the full-stack tests all drive subgraphs through this shape. A new subgraph exports
 * one from its `src/index.ts`.
 */
export interface SubgraphDefinition<TConfig extends SubgraphBaseConfig = SubgraphBaseConfig> {
  name: string;
  /** Reads and validates the subgraph's configuration (from `process.env` unless given). */
  readConfig(env?: Env): TConfig;
  migrations: Migration[];
  /** Development data; idempotent: does nothing when the database already holds rows. */
  seed(db: Database, refs: SeedRefs, logger: Logger): Promise<SeedRefs>;
  /** Builds the HTTP server around an open, migrated database, without listening. */
  createServer(deps: { config: TConfig; db: Database; logger: Logger }): Promise<SubgraphServer>;
}

/** Opens the subgraph's database as its configuration says. */
export function openSubgraphDatabase(
  config: SubgraphBaseConfig,
  onQuery?: (sql: string) => void,
): Promise<Database> {
  return openDatabase({
    service: config.service,
    dataDir: config.dataDir,
    url: config.databaseUrl,
    postgres: config.postgres,
    onQuery,
  });
}

/** Applies every pending migration of a subgraph; returns the names applied. */
export async function migrateSubgraph(
  definition: SubgraphDefinition,
  db: Database,
  logger?: Logger,
): Promise<string[]> {
  const applied = await createMigrator(db, definition.migrations, logger).up();
  return applied.map((migration) => migration.name);
}

/**
 * The body of a subgraph's `main.ts`: read config, open and migrate the database, build the
 * server and listen. Resolves with a handle whose `stop()` drains and closes everything.
 */
export async function startSubgraph<TConfig extends SubgraphBaseConfig>(
  definition: SubgraphDefinition<TConfig>,
): Promise<{ stop(): Promise<void>; port: number }> {
  const config = definition.readConfig();
  const logger = createLogger({
    service: definition.name,
    level: config.logLevel,
    format: config.logFormat,
  });
  const db = await openSubgraphDatabase(config);
  try {
    await migrateSubgraph(definition as unknown as SubgraphDefinition, db, logger);
    const server = await definition.createServer({ config, db, logger });
    const port = await server.listen(config.port);
    logger.info(
      { port },
      `${definition.name} subgraph listening on http://localhost:${port}/graphql`,
    );
    return {
      port,
      async stop() {
        await server.stop();
        await db.close();
        logger.info('drained and closed the database');
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

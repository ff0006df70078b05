import { readFileSync } from 'node:fs';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type express from 'express';
import { parse } from 'graphql';
import type { Sequelize } from 'sequelize';
import type { Env } from '@fedstack/runtime/config';
import { createLogger, type Logger } from '@fedstack/runtime/logger';
import { readSubgraphBaseConfig, type SubgraphBaseConfig } from './config';
import { openDatabase, type Database } from './database';
import { createMigrator, type Migration } from './migrator';
import { createSubgraphServer, type RequestScope, type SubgraphServer } from './subgraphServer';

/** The accounts the users subgraph's development seed creates, by their user ids. */
export interface SeededUsers {
  admin: string;
  alice: string;
  bob: string;
}

/**
 * What the development seeds hand on, one to the next: the seeded accounts under `users`, and
 * under its own name whatever else a subgraph's seed wants later ones to reference (the suppliers
 * seed: the ids it created).
 */
export interface SeedRefs {
  users?: SeededUsers;
  [subgraph: string]: unknown;
}

/** The ids a subgraph's seed published under its name in `refs` (none when it did not run). */
export function seededIds(refs: SeedRefs, subgraph: string): string[] {
  const ids = refs[subgraph];
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

/**
 * Everything the tooling needs to know about one subgraph: `npm start`, the migrate and seed
 * scripts and the full-stack tests all drive subgraphs through this shape. `defineSubgraph`
 * makes one.
 */
export interface SubgraphDefinition<TConfig extends SubgraphBaseConfig = SubgraphBaseConfig> {
  name: string;
  /** Subgraphs whose development seed must run before this one's (their refs are read). */
  seedAfter: readonly string[];
  /** Reads and validates the subgraph's configuration (from `process.env` unless given). */
  readConfig(env?: Env): TConfig;
  migrations: Migration[];
  /** Development data; idempotent: does nothing when the database already holds rows. */
  seed(db: Database, refs: SeedRefs, logger: Logger): Promise<SeedRefs>;
  /** Builds the HTTP server around an open, migrated database, without listening. */
  createServer(deps: { config: TConfig; db: Database; logger: Logger }): Promise<SubgraphServer>;
}

/** What every resolver of a subgraph receives: the request's scope plus its data access. */
export interface SubgraphContext<TModels, TLoaders> extends RequestScope {
  db: Database;
  models: TModels;
  /** Fresh for each request, so nothing is cached across callers. */
  loaders: TLoaders;
}

/**
 * What a subgraph adds to the kit's server once at start-up: process-wide services for its
 * context, extra routes, and what to release when it stops.
 */
export interface SubgraphExtension<TModels, TLoaders, TContext> {
  /** The context of one request, from the kit's; default: the kit's as it is. */
  context?(base: SubgraphContext<TModels, TLoaders>): TContext;
  /** Routes beside `/graphql`; each does its own authentication (see `signedByGateway`). */
  routes?(app: express.Express): void;
  /** Runs once the server has stopped. */
  stop?(): Promise<void>;
}

export interface SubgraphSpec<
  TModels,
  TLoaders,
  TConfig extends SubgraphBaseConfig,
  TContext extends SubgraphContext<TModels, TLoaders>,
> {
  /** The name in `supergraph.yaml`; it also names the variables (`<NAME>_PORT`, ...). */
  name: string;
  /** The port when `<NAME>_PORT` is unset: the one of its `routing_url` in `supergraph.yaml`. */
  defaultPort: number;
  /** The path of the subgraph's `schema.graphql`. */
  schemaFile: string;
  // The resolver map's context type is erased here; each subgraph types its own resolvers.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resolvers: GraphQLResolverMap<any>;
  /** The subgraph's Sequelize models, bound to its database. */
  models(sequelize: Sequelize): TModels;
  /** The DataLoaders of one request. */
  loaders(models: TModels): TLoaders;
  migrations: Migration[];
  /** Development data (see `SubgraphDefinition.seed`); default: none. */
  seed?(db: Database, refs: SeedRefs, logger: Logger): Promise<SeedRefs>;
  /** Subgraphs whose seed runs first; default none. */
  seedAfter?: readonly string[];
  /**
   * Reads the subgraph's configuration, for a subgraph with settings of its own; default: the
   * settings every subgraph shares (`readSubgraphBaseConfig`).
   */
  readConfig?(env: Env): TConfig;
  /** Builds the subgraph's process-wide services once, before the server starts. */
  extend?(deps: {
    config: TConfig;
    db: Database;
    models: TModels;
    logger: Logger;
  }): Promise<SubgraphExtension<TModels, TLoaders, TContext>>;
}

/**
 * A subgraph from its parts: its schema file, resolvers, models, loaders, migrations and seed,
 * plus, where it needs them, its own settings and services. The kit supplies the rest: the
 * configuration every subgraph shares, the HTTP server behind the gateway's signature, the
 * per-request context and the lifecycle that `npm start`, the scripts and the tests drive.
 */
export function defineSubgraph<
  TModels,
  TLoaders,
  TConfig extends SubgraphBaseConfig = SubgraphBaseConfig,
  TContext extends SubgraphContext<TModels, TLoaders> = SubgraphContext<TModels, TLoaders>,
>(spec: SubgraphSpec<TModels, TLoaders, TConfig, TContext>): SubgraphDefinition<TConfig> {
  // Parsed once, at definition: a schema that does not parse fails the import, naming the file.
  const typeDefs = parse(readFileSync(spec.schemaFile, 'utf8'));
  const readConfig =
    spec.readConfig ??
    ((env: Env) => readSubgraphBaseConfig(env, spec.name, spec.defaultPort) as TConfig);
  return {
    name: spec.name,
    seedAfter: spec.seedAfter ?? [],
    readConfig: (env = process.env) => readConfig(env),
    migrations: spec.migrations,
    seed: spec.seed ?? (async (_db, refs) => refs),
    async createServer({ config, db, logger }) {
      const models = spec.models(db.sequelize);
      const extension = (await spec.extend?.({ config, db, models, logger })) ?? {};
      const contextOf =
        extension.context ?? ((base: SubgraphContext<TModels, TLoaders>) => base as TContext);
      let server: SubgraphServer;
      try {
        server = await createSubgraphServer<TContext>({
          config,
          logger,
          typeDefs,
          resolvers: spec.resolvers,
          createContext: (scope) =>
            contextOf({ ...scope, db, models, loaders: spec.loaders(models) }),
          db,
          routes: extension.routes,
        });
      } catch (error) {
        await extension.stop?.();
        throw error;
      }
      const { stop } = extension;
      if (!stop) return server;
      return {
        ...server,
        async stop() {
          try {
            await server.stop();
          } finally {
            await stop();
          }
        },
      };
    },
  };
}

/**
 * `definitions` in an order where each subgraph's seed runs after those it names in `seedAfter`,
 * otherwise in the given order. Throws, naming them, on an unknown name or a cycle.
 */
export function inSeedOrder<T extends Pick<SubgraphDefinition, 'name' | 'seedAfter'>>(
  definitions: readonly T[],
): T[] {
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  const ordered: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (definition: T, path: string[]) => {
    const seen = state.get(definition.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      throw new Error(`seedAfter forms a cycle: ${[...path, definition.name].join(' → ')}`);
    }
    state.set(definition.name, 'visiting');
    for (const name of definition.seedAfter) {
      const before = byName.get(name);
      if (!before) {
        throw new Error(`subgraph ${definition.name} seeds after "${name}", which is not listed`);
      }
      visit(before, [...path, definition.name]);
    }
    state.set(definition.name, 'done');
    ordered.push(definition);
  };
  for (const definition of definitions) visit(definition, []);
  return ordered;
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
  definition: Pick<SubgraphDefinition, 'migrations'>,
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
    await migrateSubgraph(definition, db, logger);
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

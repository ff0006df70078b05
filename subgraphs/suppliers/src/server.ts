import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createSubgraphServer,
  type Database,
  type Logger,
  type SubgraphServer,
} from '@fedstack/kit';
import { parse } from 'graphql';
import type { SuppliersConfig } from './config';
import { createContext, type Context } from './context';
import { defineSupplierModel } from './models/Supplier';
import { resolvers } from './resolvers';

/**
 * Builds the suppliers subgraph's HTTP server over an open, migrated database, without listening.
 * Stopping the server closes the database.
 */
export function createSuppliersServer(deps: {
  config: SuppliersConfig;
  db: Database;
  logger: Logger;
}): Promise<SubgraphServer> {
  const { config, db, logger } = deps;
  const models = { Supplier: defineSupplierModel(db.sequelize) };
  const typeDefs = parse(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));
  return createSubgraphServer<Context>({
    config,
    logger,
    typeDefs,
    resolvers,
    createContext: (scope) => createContext(scope, { db, models }),
    db,
  });
}

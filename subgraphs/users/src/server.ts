import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import {
  createSubgraphServer,
  type Database,
  type Logger,
  type SubgraphServer,
} from '@fedstack/kit';
import { Sessions } from './auth/sessions';
import { AccessTokenSigner } from './auth/tokens';
import type { UsersConfig } from './config';
import type { Context } from './context';
import { createLoaders } from './loaders';
import { defineModels } from './models';
import { resolvers } from './resolvers';

const typeDefs = parse(readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** Builds the users subgraph around an open, migrated database, without listening. */
export function createUsersServer(deps: {
  config: UsersConfig;
  db: Database;
  logger: Logger;
}): Promise<SubgraphServer> {
  const { config, db, logger } = deps;
  const models = defineModels(db.sequelize);
  const signer = new AccessTokenSigner({
    privateKeyPem: config.jwtPrivateKey,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
  });
  const sessions = new Sessions(db, models, signer, config.refreshTokenTtlSeconds, logger);
  return createSubgraphServer<Context>({
    config,
    typeDefs,
    resolvers,
    logger,
    createContext: (scope) => ({ ...scope, loaders: createLoaders(models), models, db, sessions }),
    isReady: async () => {
      await db.sequelize.query('SELECT 1');
      return true;
    },
    onStopped: () => db.close(),
  });
}

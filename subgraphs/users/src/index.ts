import { join } from 'node:path';
import { defineSubgraph, type SubgraphContext } from '@fedstack/kit';
import type { RegisterThrottle } from './auth/registerThrottle';
import type { Sessions } from './auth/sessions';
import { readConfig } from './config';
import { createLoaders, type Loaders } from './loaders';
import { migrations } from './migrations';
import { defineModels, type Models } from './models';
import { resolvers } from './resolvers';
import { seedUsers } from './seed';
import { usersServices } from './services';

export type { UsersConfig } from './config';
export { readUsersDatabaseConfig } from './config';
export { createAdmin, type NewAdmin } from './createAdmin';
export { SEED_ACCOUNTS } from './seed';

/** The per-request context of the users subgraph. */
export interface Context extends SubgraphContext<Models, Loaders> {
  sessions: Sessions;
  /** Registrations per client address; shared by every request of the process. */
  registerThrottle: RegisterThrottle;
  /**
   * Password checks and hashes run by `login` and `register` in this request so far: at most one
   * is allowed, so that one request with many aliased `login` fields cannot run many guesses.
   */
  passwordWork: number;
}

/** The users subgraph: accounts, passwords and tokens. */
export const usersSubgraph = defineSubgraph({
  name: 'users',
  defaultPort: 4001,
  schemaFile: join(__dirname, '..', 'schema.graphql'),
  resolvers,
  models: defineModels,
  loaders: createLoaders,
  migrations,
  seed: seedUsers,
  readConfig,
  extend: usersServices,
});

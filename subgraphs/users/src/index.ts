import type { SubgraphDefinition } from '@fedstack/kit';
import { readConfig, type UsersConfig } from './config';
import { migrations } from './migrations';
import { seedUsers } from './seed';
import { createUsersServer } from './server';

export type { UsersConfig } from './config';
export { readUsersDatabaseConfig } from './config';
export { createAdmin, type NewAdmin } from './createAdmin';
export { SEED_ACCOUNTS } from './seed';

/** The users subgraph: accounts, passwords and tokens. */
export const usersSubgraph: SubgraphDefinition<UsersConfig> = {
  name: 'users',
  readConfig,
  migrations,
  seed: seedUsers,
  createServer: createUsersServer,
};

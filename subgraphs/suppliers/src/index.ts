import type { SubgraphDefinition } from '@fedstack/kit';
import { readConfig, type SuppliersConfig } from './config';
import { migrations } from './migrations';
import { seedSuppliers } from './seed';
import { createSuppliersServer } from './server';

export type { SuppliersConfig } from './config';

/** The suppliers subgraph as `npm start`, the scripts and the full-stack tests drive it. */
export const suppliersSubgraph: SubgraphDefinition<SuppliersConfig> = {
  name: 'suppliers',
  readConfig,
  migrations,
  seed: seedSuppliers,
  createServer: createSuppliersServer,
};

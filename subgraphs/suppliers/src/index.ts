import { join } from 'node:path';
import { defineSubgraph, type SubgraphBaseConfig, type SubgraphContext } from '@fedstack/kit';
import { createLoaders, type Loaders } from './loaders';
import { migrations } from './migrations';
import { defineSupplierModel, type SupplierStatic } from './models/Supplier';
import { resolvers } from './resolvers';
import { seedSuppliers } from './seed';

export type SuppliersConfig = SubgraphBaseConfig;
export interface Models {
  Supplier: SupplierStatic;
}
/** What every suppliers resolver receives. */
export type Context = SubgraphContext<Models, Loaders>;

/** The suppliers subgraph: the suppliers users create. */
export const suppliersSubgraph = defineSubgraph({
  name: 'suppliers',
  defaultPort: 4003,
  schemaFile: join(__dirname, '..', 'schema.graphql'),
  resolvers,
  models: (sequelize): Models => ({ Supplier: defineSupplierModel(sequelize) }),
  loaders: (models) => createLoaders(models.Supplier),
  migrations,
  seed: seedSuppliers,
  seedAfter: ['users'],
});

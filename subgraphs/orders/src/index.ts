import { join } from 'node:path';
import { defineSubgraph, type SubgraphBaseConfig, type SubgraphContext } from '@fedstack/kit';
import { createLoaders, type Loaders } from './loaders';
import { migrations } from './migrations';
import { defineOrderModel, type OrderStatic } from './models/Order';
import { resolvers } from './resolvers';
import { seedOrders } from './seed';

export type OrdersConfig = SubgraphBaseConfig;
export interface Models {
  Order: OrderStatic;
}
/** What every orders resolver receives. */
export type Context = SubgraphContext<Models, Loaders>;

/** The orders subgraph: who ordered what from which supplier. */
export const ordersSubgraph = defineSubgraph({
  name: 'orders',
  defaultPort: 4002,
  schemaFile: join(__dirname, '..', 'schema.graphql'),
  resolvers,
  models: (sequelize): Models => ({ Order: defineOrderModel(sequelize) }),
  loaders: (models) => createLoaders(models.Order),
  migrations,
  seed: seedOrders,
  seedAfter: ['users', 'suppliers'],
});

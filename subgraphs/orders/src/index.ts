import type { SubgraphDefinition } from '@fedstack/kit';
import { readConfig, type OrdersConfig } from './config';
import { migrations } from './migrations';
import { seedOrders } from './seed';
import { createOrdersServer } from './server';

export type { OrdersConfig } from './config';

/** The orders subgraph as `npm start`, the scripts and the full-stack tests drive it. */
export const ordersSubgraph: SubgraphDefinition<OrdersConfig> = {
  name: 'orders',
  readConfig,
  migrations,
  seed: seedOrders,
  createServer: createOrdersServer,
};

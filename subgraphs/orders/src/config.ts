import { readSubgraphBaseConfig, type Env, type SubgraphBaseConfig } from '@fedstack/kit';

/** The orders subgraph's settings: only the ones every subgraph shares, for now. */
export type OrdersConfig = SubgraphBaseConfig;

/**
 * Reads and validates the orders subgraph's configuration; port `ORDERS_PORT` (default 4002),
 * database `ORDERS_DATABASE_URL` (default SQLite in `DATA_DIR`). Throws a `ConfigError` naming the
 * variable when a value is wrong.
 */
export function readConfig(env: Env = process.env): OrdersConfig {
  return readSubgraphBaseConfig(env, 'orders', 4002);
}

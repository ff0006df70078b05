import { readSubgraphBaseConfig, type Env, type SubgraphBaseConfig } from '@fedstack/kit';

/** The suppliers subgraph's settings: only the ones every subgraph shares, for now. */
export type SuppliersConfig = SubgraphBaseConfig;

/**
 * Reads and validates the suppliers subgraph's configuration; port `SUPPLIERS_PORT` (default
 * 4003), database `SUPPLIERS_DATABASE_URL` (default SQLite in `DATA_DIR`). Throws a `ConfigError`
 * naming the variable when a value is wrong.
 */
export function readConfig(env: Env = process.env): SuppliersConfig {
  return readSubgraphBaseConfig(env, 'suppliers', 4003);
}

/** The environment variables that belong to one subgraph. */
export interface SubgraphVariables {
  /** Where the gateway reaches the subgraph, overriding the supergraph's routing URL. */
  url: string;
  /** The port the subgraph listens on. */
  port: string;
  /** A `postgres://` URL that moves the subgraph from SQLite to PostgreSQL. */
  databaseUrl: string;
}

/**
 * The one place a subgraph's variable names are made: its name upper-cased, with every run of
 * characters other than letters and digits as one underscore (`users` → `USERS_URL`, `USERS_PORT`,
 * `USERS_DATABASE_URL`; `product-reviews` → `PRODUCT_REVIEWS_URL`).
 */
export function subgraphVariables(name: string): SubgraphVariables {
  const prefix = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return {
    url: `${prefix}_URL`,
    port: `${prefix}_PORT`,
    databaseUrl: `${prefix}_DATABASE_URL`,
  };
}

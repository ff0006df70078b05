import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env, SubgraphBaseConfig } from './config';
import type { Database } from './database';
import {
  migrateSubgraph,
  openSubgraphDatabase,
  type SeedRefs,
  type SubgraphDefinition,
} from './definition';
import { signEnvelope } from './envelope';
import { createLogger } from './logger';
import type { Viewer } from './viewer';

/** A GraphQL response as a test reads it. */
export interface TestResponse<TData = Record<string, unknown>> {
  status: number;
  body: {
    data?: TData | null;
    errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
  };
}

export interface TestSubgraph<TConfig extends SubgraphBaseConfig> {
  url: string;
  config: TConfig;
  db: Database;
  /** Every SQL statement the subgraph ran, in order; tests may clear it with `sql.length = 0`. */
  sql: string[];
  /** Sends a gateway-signed request carrying `viewer` (anonymous when null). */
  query<TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    viewer?: Viewer | null,
  ): Promise<TestResponse<TData>>;
  stop(): Promise<void>;
}

/**
 * Starts one subgraph for a test: a temporary DATA_DIR, a migrated SQLite database (optionally
 * seeded), the real HTTP server on a free loopback port, and a client that signs like the gateway.
 */
export async function startTestSubgraph<TConfig extends SubgraphBaseConfig>(
  definition: SubgraphDefinition<TConfig>,
  options: { env?: Env; seed?: SeedRefs | false } = {},
): Promise<TestSubgraph<TConfig>> {
  const dataDir = mkdtempSync(join(tmpdir(), `${definition.name}-test-`));
  const config = definition.readConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const logger = createLogger({ service: definition.name, level: 'silent', format: 'json' });
  const sql: string[] = [];
  const db = await openSubgraphDatabase(config, (statement) => sql.push(statement));
  await migrateSubgraph(definition as unknown as SubgraphDefinition, db);
  if (options.seed !== false && options.seed !== undefined)
    await definition.seed(db, options.seed, logger);
  const server = await definition.createServer({ config, db, logger });
  const port = await server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}/graphql`;
  sql.length = 0;
  return {
    url,
    config,
    db,
    sql,
    async query(query, variables, viewer = null) {
      const body = JSON.stringify({ query, variables });
      const headers = signEnvelope(config.signingSecret, {
        audience: config.service,
        identity: viewer ? { userId: viewer.id, role: viewer.role } : null,
        method: 'POST',
        body,
      });
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      return {
        status: response.status,
        body: (await response.json()) as TestResponse['body'],
      } as never;
    },
    async stop() {
      await server.stop();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

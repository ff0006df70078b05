import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  createLogger,
  migrateSubgraph,
  openSubgraphDatabase,
  type Database,
  type Env,
  type SeedRefs,
  type SubgraphServer,
} from '@fedstack/kit';
import { readGatewayConfig } from '../../gateway/src/config';
import { createGatewayServer } from '../../gateway/src/server';
import { SUBGRAPHS } from '../../scripts/subgraphs';

export interface GraphQLBody<TData> {
  data?: TData | null;
  errors?: Array<{
    message: string;
    path?: Array<string | number>;
    extensions?: Record<string, unknown>;
  }>;
}

export interface StackResponse<TData> {
  status: number;
  headers: Headers;
  body: GraphQLBody<TData>;
}

export interface RunningSubgraph {
  name: string;
  url: string;
  port: number;
  db: Database;
  /** SQL statements run since the last `resetSql()`. */
  sql: string[];
  server: SubgraphServer;
}

export interface Stack {
  gatewayUrl: string;
  dataDir: string;
  env: Env;
  refs: SeedRefs;
  subgraphs: Record<'users' | 'orders' | 'suppliers', RunningSubgraph>;
  /** POSTs an operation to the gateway; `token` becomes the bearer token. */
  request<TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<StackResponse<TData>>;
  /** Logs a seeded or registered user in and returns the access and refresh tokens. */
  login(
    username: string,
    password: string,
  ): Promise<{ accessToken: string; refreshToken: string; userId: string }>;
  resetSql(): void;
  stop(): Promise<void>;
}

/**
 * Starts the whole stack in this process for a test: the three subgraphs, each with its own
 * migrated and seeded SQLite database in a temporary DATA_DIR, and the gateway in front of them,
 * all on free loopback ports and talking real HTTP.
 */
export async function startStack(options: { env?: Env } = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-stack-'));
  const env: Env = { NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...options.env };
  const logger = createLogger({ service: 'test', level: 'silent', format: 'json' });
  const running: Partial<Record<string, RunningSubgraph>> = {};
  let refs: SeedRefs = {};
  for (const definition of SUBGRAPHS) {
    const config = definition.readConfig(env);
    const sql: string[] = [];
    const db = await openSubgraphDatabase(config, (statement) => sql.push(statement));
    await migrateSubgraph(definition, db);
    refs = await definition.seed(db, refs, logger);
    const server = await definition.createServer({ config, db, logger });
    const port = await server.listen(0, '127.0.0.1');
    running[definition.name] = {
      name: definition.name,
      url: `http://127.0.0.1:${port}/graphql`,
      port,
      db,
      sql,
      server,
    };
  }
  const subgraphs = running as Stack['subgraphs'];
  const gatewayEnv: Env = {
    ...env,
    SUPERGRAPH_FILE: resolve(__dirname, '..', '..', 'supergraph.graphql'),
    USERS_URL: subgraphs.users.url,
    ORDERS_URL: subgraphs.orders.url,
    SUPPLIERS_URL: subgraphs.suppliers.url,
  };
  const gateway = await createGatewayServer(readGatewayConfig(gatewayEnv));
  const gatewayPort = await gateway.listen(0, '127.0.0.1');
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;

  const request: Stack['request'] = async (query, variables, requestOptions = {}) => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...requestOptions.headers,
    };
    if (requestOptions.token) headers.authorization = `Bearer ${requestOptions.token}`;
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    let body: GraphQLBody<never>;
    try {
      body = JSON.parse(text) as GraphQLBody<never>;
    } catch {
      body = { errors: [{ message: text }] };
    }
    return { status: response.status, headers: response.headers, body };
  };

  return {
    gatewayUrl,
    dataDir,
    env: gatewayEnv,
    refs,
    subgraphs,
    request,
    async login(username, password) {
      const res = await request<{
        login: { accessToken: string; refreshToken: string; user: { id: string } };
      }>(
        'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken user { id } } }',
        { u: username, p: password },
      );
      const login = res.body.data?.login;
      if (!login)
        throw new Error(`login as ${username} failed: ${JSON.stringify(res.body.errors)}`);
      return {
        accessToken: login.accessToken,
        refreshToken: login.refreshToken,
        userId: login.user.id,
      };
    },
    resetSql() {
      for (const subgraph of Object.values(subgraphs)) subgraph.sql.length = 0;
    },
    async stop() {
      await gateway.stop();
      for (const subgraph of Object.values(subgraphs)) {
        await subgraph.server.stop();
        await subgraph.db.close();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The `extensions.code` of each error, in order. */
export function codesOf(body: GraphQLBody<unknown>): unknown[] {
  return (body.errors ?? []).map((error) => error.extensions?.code);
}

import { generateKeyPairSync, randomBytes } from 'node:crypto';
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
import {
  createTestPostgresDatabase,
  type TestDatabase,
  type TestPostgresDatabase,
} from '@fedstack/kit/testing';
import type { Fetcher } from '@apollo/utils.fetcher';
import { Agent } from 'undici';
import { readGatewayConfig } from '@fedstack/gateway/config';
import { createGatewayServer } from '@fedstack/gateway/server';
import { createSubgraphFetcher } from '@fedstack/gateway/subgraphFetcher';
import { SUBGRAPHS } from '../../scripts/subgraphs';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';
import {
  loginAt,
  postGraphQL,
  postSignedToSubgraph,
  type GraphQLBody,
  type StackResponse,
} from './client';
import { serviceOf, type ByService } from './processes';

export type { GraphQLBody, StackResponse } from './client';

export interface RunningSubgraph {
  name: string;
  url: string;
  port: number;
  db: Database;
  /** SQL statements run since the last `resetSql()`. */
  sql: string[];
  server: SubgraphServer;
}

/** One line a service logged, parsed; `service` names the service (`gateway`, `users`, …). */
export type LogRecord = Record<string, unknown> & { service?: string; event?: string };

export interface StackOptions {
  /** Environment of every service, over `NODE_ENV=test`, a temporary `DATA_DIR` and silent logs. */
  env?: Env;
  /** Load each subgraph's development seed (default true). */
  seed?: boolean;
  /** Collect every service's JSON log lines at `info` and above into `Stack.logs`. */
  captureLogs?: boolean;
  /** Record every request the gateway sends a subgraph, as sent, in `Stack.subgraphRequests`. */
  recordSubgraphRequests?: boolean;
  /**
   * Where the subgraphs keep their data (default `sqlite`): `sqlite` is a file per subgraph in the
   * temporary DATA_DIR; `postgres` is a fresh database per subgraph on the `TEST_POSTGRES_URL`
   * server (see `bash scripts/test-postgres.sh`), set as `<NAME>_DATABASE_URL` in `Stack.env` and
   * dropped by `stop()`. `postgres` throws when `TEST_POSTGRES_URL` is not set; a suite that should
   * also run without it can loop over `testDatabases()` from `@fedstack/kit/testing`.
   */
  database?: TestDatabase;
}

/** A request the gateway sent to a subgraph: what someone on the internal network could capture. */
export interface SubgraphRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Stack {
  gatewayUrl: string;
  dataDir: string;
  /** The engine the subgraphs run on, as `StackOptions.database` chose. */
  database: TestDatabase;
  env: Env;
  refs: SeedRefs;
  /** The raw JSON log lines of every service, in order, when started with `captureLogs`. */
  logLines: string[];
  /** `logLines`, parsed. */
  logs(): LogRecord[];
  /** Requests sent to subgraphs, when started with `recordSubgraphRequests`. */
  subgraphRequests: SubgraphRequest[];
  /** Every subgraph of `supergraph.yaml`, by name. */
  subgraphs: ByService<RunningSubgraph>;
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
  /**
   * POSTs `body` straight to subgraph `name`, signed as the gateway signs it for an anonymous
   * caller, with the stack's own signing secret: what a client on the internal network holding the
   * secret could send.
   */
  postToSubgraph(name: string, body: string): Promise<Response>;
  resetSql(): void;
  stop(): Promise<void>;
}

/** Statements of the revocation feed's background polls and pruning. */
const REVOCATION_FEED_SQL = /\bFROM [`"]?revocations\b/i;

/**
 * Starts the whole stack in this process for a test: the three subgraphs, each with its own
 * migrated and seeded database (SQLite in a temporary DATA_DIR, or PostgreSQL with
 * `database: 'postgres'`), and the gateway in front of them, all on free loopback ports and
 * talking real HTTP.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-stack-'));
  const env: Env = { NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...options.env };
  const logLines: string[] = [];
  const loggerFor = (service: string) =>
    createLogger({
      service,
      level: options.captureLogs ? 'info' : 'silent',
      format: 'json',
      destination: { write: (line: string) => void logLines.push(line) },
    });
  const running: Partial<Record<string, RunningSubgraph>> = {};
  let gateway: Awaited<ReturnType<typeof createGatewayServer>> | undefined;
  const subgraphRequests: SubgraphRequest[] = [];
  const agent = options.recordSubgraphRequests ? new Agent() : undefined;
  const database = options.database ?? 'sqlite';
  const postgresDatabases: TestPostgresDatabase[] = [];
  const stopAll = async () => {
    await gateway?.stop();
    await agent?.close();
    for (const subgraph of Object.values(running)) {
      await subgraph?.server.stop();
      await subgraph?.db.close();
    }
    for (const created of postgresDatabases) await created.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let refs: SeedRefs = {};
  let gatewayEnv: Env;
  let gatewayPort: number;
  let signingSecret: string;
  try {
    if (database === 'postgres') {
      for (const definition of SUBGRAPHS) {
        const created = await createTestPostgresDatabase(`${definition.name}_stack`);
        postgresDatabases.push(created);
        env[subgraphVariables(definition.name).databaseUrl] = created.url;
      }
    }
    for (const definition of SUBGRAPHS) {
      const config = definition.readConfig(env);
      const logger = loggerFor(definition.name);
      const sql: string[] = [];
      // The gateway polls the users subgraph's revocation feed in the background; those
      // statements belong to no request a test sends, so they are left out.
      const db = await openSubgraphDatabase(config, (statement) => {
        if (!REVOCATION_FEED_SQL.test(statement)) sql.push(statement);
      });
      let server: SubgraphServer;
      try {
        await migrateSubgraph(definition, db);
        if (options.seed !== false) refs = await definition.seed(db, refs, logger);
        server = await definition.createServer({ config, db, logger });
      } catch (error) {
        await db.close();
        throw error;
      }
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
    const started = running as Stack['subgraphs'];
    gatewayEnv = {
      ...env,
      SUPERGRAPH_FILE: resolve(__dirname, '..', '..', 'supergraph.graphql'),
      ...Object.fromEntries(
        Object.values(started).map(({ name, url }) => [subgraphVariables(name).url, url]),
      ),
    };
    const gatewayConfig = readGatewayConfig(gatewayEnv);
    signingSecret = gatewayConfig.signingSecret;
    let fetcher: Fetcher | undefined;
    if (agent) {
      const inner = createSubgraphFetcher({
        dispatcher: agent,
        timeoutMs: gatewayConfig.subgraphTimeoutMs,
        maxResponseBytes: gatewayConfig.subgraphResponseLimitBytes,
      });
      fetcher = (url, init = {}) => {
        const body = init.body;
        subgraphRequests.push({
          url,
          headers: { ...init.headers },
          body: typeof body === 'string' ? body : Buffer.from(body ?? '').toString('utf8'),
        });
        return inner(url, init);
      };
    }
    gateway = await createGatewayServer(gatewayConfig, {
      logger: loggerFor('gateway'),
      fetcher,
    });
    gatewayPort = await gateway.listen(0, '127.0.0.1');
  } catch (error) {
    await stopAll();
    throw error;
  }
  const subgraphs = running as Stack['subgraphs'];
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;

  const request: Stack['request'] = (query, variables, requestOptions = {}) =>
    postGraphQL(gatewayUrl, query, variables, {
      ...requestOptions.headers,
      ...(requestOptions.token ? { authorization: `Bearer ${requestOptions.token}` } : {}),
    });

  return {
    gatewayUrl,
    dataDir,
    database,
    env: gatewayEnv,
    refs,
    logLines,
    subgraphRequests,
    logs() {
      return logLines.map((line) => JSON.parse(line) as LogRecord);
    },
    subgraphs,
    request,
    login: (username, password) => loginAt(gatewayUrl, username, password),
    postToSubgraph(name, body) {
      const { url } = serviceOf(subgraphs, name);
      return postSignedToSubgraph(url, { secret: signingSecret, audience: name, body });
    },
    resetSql() {
      for (const subgraph of Object.values(subgraphs)) subgraph.sql.length = 0;
    },
    stop: stopAll,
  };
}

/**
 * A fresh production secret set, as `npm run secrets` makes: an ES256 key pair and a signing
 * secret, in the variables every service reads.
 */
export function productionSecrets(): Env {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    GATEWAY_SIGNING_SECRET: randomBytes(32).toString('base64url'),
  };
}

/** The `extensions.code` of each error, in order. */
export function codesOf(body: GraphQLBody<unknown>): unknown[] {
  return (body.errors ?? []).map((error) => error.extensions?.code);
}

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { createLogger } from '@fedstack/runtime/logger';
import { parse } from 'graphql';
import { readGatewayConfig, type GatewayConfig } from '../../config';
import { createGatewayServer, type GatewayServer } from '../../server';
import { startStubSubgraph, type StubContext, type StubSubgraph } from './stubSubgraph';
import { generateTestKeys, type TestKeys } from './tokens';

const FEDERATION =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

export const USERS_SDL = `${FEDERATION}
type Query {
  me: User
  users: [User!]!
  caller: Caller
  hello: String
}
type Mutation { touch: Boolean }
type Caller { userId: String, role: String }
type User @key(fields: "id") {
  id: ID!
  username: String!
  friend: User
  boom: String
}
`;

/** The users schema the fixture's first supergraph is composed from: without `hello`. */
export const USERS_SDL_V1 = USERS_SDL.replace('  hello: String\n', '');

export const ORDERS_SDL = `${FEDERATION}
type Query {
  orders: [Order!]!
  slowOrders: [Order!]
}
type Order @key(fields: "id") { id: ID!, item: String! }
type User @key(fields: "id") {
  id: ID!
  orders: [Order!]
}
`;

export const USERS = [
  { id: '1', username: 'alice' },
  { id: '2', username: 'bob' },
];

/** How long `slowOrders` takes; longer than the fixture's subgraph timeout. */
export const SLOW_MS = 1500;
export const SUBGRAPH_TIMEOUT_MS = 400;

/** Composes subgraph schemas into a supergraph whose routing URLs are deliberately wrong. */
export function composeStubs(stubs: { name: string; typeDefs: string }[]): string {
  const result = composeServices(
    stubs.map((stub) => ({
      name: stub.name,
      url: `http://${stub.name}.invalid/graphql`,
      typeDefs: parse(stub.typeDefs),
    })),
  );
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

export interface GatewayFixture {
  keys: TestKeys;
  signingSecret: string;
  dir: string;
  supergraphFile: string;
  users: StubSubgraph;
  orders: StubSubgraph;
  config: GatewayConfig;
  server: GatewayServer;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts two stub subgraphs (users, orders), writes their supergraph to a temporary file with
 * wrong routing URLs, and starts the gateway on a free port with `USERS_URL`/`ORDERS_URL`
 * pointing at the stubs.
 */
export async function startGatewayFixture(
  env: Record<string, string> = {},
): Promise<GatewayFixture> {
  const keys = generateTestKeys();
  const signingSecret = randomBytes(32).toString('base64url');
  const dir = mkdtempSync(join(tmpdir(), 'gateway-test-'));
  const users = await startStubSubgraph({
    name: 'users',
    typeDefs: USERS_SDL,
    signingSecret,
    resolvers: {
      Query: {
        me: (_: unknown, __: unknown, { envelope }: StubContext) =>
          envelope.ok && envelope.identity ? { id: envelope.identity.userId } : null,
        users: () => USERS,
        caller: (_: unknown, __: unknown, { envelope }: StubContext) =>
          envelope.ok && envelope.identity ? envelope.identity : null,
        hello: () => 'world',
      },
      Mutation: { touch: () => true },
      User: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        username: (user: { id: string }) =>
          USERS.find((u) => u.id === user.id)?.username ?? `user${user.id}`,
        friend: (user: { id: string }) => ({ id: user.id === '1' ? '2' : '1' }),
        boom: () => {
          throw new Error('SQLITE_ERROR: no such table: secret_internal_table');
        },
      },
    },
  });
  const orders = await startStubSubgraph({
    name: 'orders',
    typeDefs: ORDERS_SDL,
    signingSecret,
    resolvers: {
      Query: {
        orders: () => [{ id: 'o1', item: 'apples' }],
        slowOrders: async () => {
          await new Promise((resolve) => setTimeout(resolve, SLOW_MS).unref());
          return [];
        },
      },
      User: {
        orders: (user: { id: string }) => [{ id: `o-${user.id}`, item: 'pears' }],
      },
    },
  });
  const supergraphFile = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphFile, composeStubs([{ name: 'users', typeDefs: USERS_SDL_V1 }, orders]));
  // A gateway that fails to start leaves no stub listening and no temporary folder behind.
  const cleanUp = async () => {
    await users.close();
    await orders.close();
    rmSync(dir, { recursive: true, force: true });
  };
  let config: GatewayConfig;
  let server: GatewayServer;
  let port: number;
  try {
    config = readGatewayConfig({
      NODE_ENV: 'test',
      DATA_DIR: join(dir, 'data'),
      SUPERGRAPH_FILE: supergraphFile,
      USERS_URL: users.url,
      ORDERS_URL: orders.url,
      JWT_PUBLIC_KEY: keys.publicKeyPem,
      GATEWAY_SIGNING_SECRET: signingSecret,
      SUBGRAPH_TIMEOUT_MS: String(SUBGRAPH_TIMEOUT_MS),
      READINESS_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'silent',
      ...env,
    });
    server = await createGatewayServer(config, {
      logger: createLogger({ service: 'gateway', level: 'silent', format: 'json' }),
      supergraphPollIntervalMs: 100,
    });
    port = await server.listen(0, '127.0.0.1');
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    keys,
    signingSecret,
    dir,
    supergraphFile,
    users,
    orders,
    config,
    server,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await server.stop();
      await cleanUp();
    },
  };
}

export interface GraphQLResult {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
  };
}

/** POSTs an operation to the gateway as a client would. */
export async function postGraphQL(
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<GraphQLResult> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  const text = await response.text();
  let body: GraphQLResult['body'];
  try {
    body = JSON.parse(text) as GraphQLResult['body'];
  } catch {
    throw new Error(
      `expected JSON from the gateway, got HTTP ${response.status}: ${text.slice(0, 200)}`,
    );
  }
  return { status: response.status, headers: response.headers, body };
}

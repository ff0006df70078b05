import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import { envelopeKey, verifyEnvelope, type VerifyResult } from '@fedstack/envelope/envelope';
import { createLogger } from '@fedstack/runtime/logger';
import { readGatewayConfig } from '../config';
import { subgraphFetchesShared } from '../gatewayMetrics';
import { createGatewayServer, type GatewayServer } from '../server';
import { SubgraphDataSource } from '../SubgraphDataSource';
import { createSubgraphFetcher } from '../subgraphFetcher';
import { Agent } from 'undici';
import { composeStubs, postGraphQL, type GraphQLResult } from './support/gatewayFixture';
import { generateTestKeys, signAccessToken } from './support/tokens';

const SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query {
  items: [Item!]!
  whoAmI: String
}
type Mutation { bump: Int }
type Item { id: ID!, name: String! }
`;

/** A request the held subgraph received and has not answered yet. */
interface Held {
  body: string;
  envelope: VerifyResult;
  res: ServerResponse;
}

/**
 * A subgraph on bare `node:http` that checks the envelope like the real ones and holds every
 * request until the test answers it, so that the test decides which requests are in flight
 * together.
 */
class HeldSubgraph {
  readonly received: Held[] = [];
  private pending: Held[] = [];
  private readonly server: Server;
  url = '';

  constructor(private readonly secret: string) {
    this.server = createServer((req, res) => this.take(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql`;
  }

  private take(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const envelope = verifyEnvelope(this.secret, {
        audience: 'catalog',
        headers: req.headers,
        method: req.method ?? '',
        body,
      });
      const held = { body, envelope, res };
      this.received.push(held);
      this.pending.push(held);
    });
  }

  /** Answers every held request: as a subgraph would, or with a failure for all of them. */
  release(how: 'answer' | 'http500' | 'drop' = 'answer'): void {
    for (const { body, envelope, res } of this.pending.splice(0)) {
      if (how === 'drop') {
        res.socket?.destroy();
        continue;
      }
      if (how === 'http500') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"errors":[{"message":"internal"}]}');
        continue;
      }
      const query = (JSON.parse(body) as { query: string }).query;
      const caller = envelope.ok ? envelope.identity : null;
      const data = query.includes('bump')
        ? { bump: 1 }
        : query.includes('whoAmI')
          ? { whoAmI: caller ? `${caller.userId}/${caller.sessionId ?? '-'}` : 'anonymous' }
          : {
              items: [
                { id: '1', name: 'apples' },
                { id: '2', name: 'pears' },
              ],
            };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data }));
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const keys = generateTestKeys();
const secret = randomBytes(32).toString('base64url');
const dir = mkdtempSync(join(tmpdir(), 'gateway-dedup-test-'));
const subgraph = new HeldSubgraph(secret);
let gateway: GatewayServer;
let url: string;
let plainGateway: GatewayServer;
let plainUrl: string;

async function startGateway(env: Record<string, string>): Promise<[GatewayServer, string]> {
  const server = await createGatewayServer(
    readGatewayConfig({
      NODE_ENV: 'test',
      DATA_DIR: join(dir, 'data'),
      SUPERGRAPH_FILE: join(dir, 'supergraph.graphql'),
      CATALOG_URL: subgraph.url,
      JWT_PUBLIC_KEY: keys.publicKeyPem,
      GATEWAY_SIGNING_SECRET: secret,
      TOKEN_REVOCATION_SUBGRAPH: 'none',
      LOG_LEVEL: 'silent',
      ...env,
    }),
    { logger: createLogger({ service: 'gateway', level: 'silent', format: 'json' }) },
  );
  const port = await server.listen(0, '127.0.0.1');
  return [server, `http://127.0.0.1:${port}`];
}

beforeAll(async () => {
  await subgraph.start();
  writeFileSync(
    join(dir, 'supergraph.graphql'),
    composeStubs([{ name: 'catalog', typeDefs: SDL }]),
  );
  [gateway, url] = await startGateway({});
  [plainGateway, plainUrl] = await startGateway({ SUBGRAPH_DEDUP: 'false' });
});

afterAll(async () => {
  await gateway.stop();
  await plainGateway.stop();
  await subgraph.close();
  rmSync(dir, { recursive: true, force: true });
});

async function sharedSoFar(): Promise<number> {
  const metric = await subgraphFetchesShared.get();
  return metric.values.reduce((sum, { value }) => sum + value, 0);
}

/**
 * Sends `requests` to a gateway at once, waits until the subgraph holds `sends` requests and the
 * gateway has joined `shared` waiters to them (or 3 s passed: then the assertions tell what did
 * not happen), releases the subgraph, and returns the answers in order.
 */
async function together(
  gatewayUrl: string,
  requests: Array<{ query: string; token?: string }>,
  expect: { sends: number; shared: number },
  how: 'answer' | 'http500' | 'drop' = 'answer',
): Promise<GraphQLResult[]> {
  subgraph.received.length = 0;
  const sharedBefore = await sharedSoFar();
  const answers = Promise.all(
    requests.map(({ query, token }) =>
      postGraphQL(gatewayUrl, { query }, token ? { authorization: `Bearer ${token}` } : {}),
    ),
  );
  const deadline = Date.now() + 3000;
  while (
    Date.now() < deadline &&
    (subgraph.received.length < expect.sends ||
      (await sharedSoFar()) - sharedBefore < expect.shared)
  ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // Late extra sends (which must not happen) would arrive within this pause.
  await new Promise((resolve) => setTimeout(resolve, 50));
  subgraph.release(how);
  // A retry after a dropped connection is held too: it gets the same treatment.
  const releasing = setInterval(() => subgraph.release(how), 20);
  try {
    return await answers;
  } finally {
    clearInterval(releasing);
  }
}

const ITEMS = {
  data: {
    items: [
      { id: '1', name: 'apples' },
      { id: '2', name: 'pears' },
    ],
  },
};

describe('in-flight deduplication of subgraph queries', () => {
  it('sends identical concurrent queries of one caller once and answers every client', async () => {
    const token = signAccessToken(keys, { sub: '1', sid: 's-1' });
    const results = await together(url, Array(8).fill({ query: '{ items { id name } }', token }), {
      sends: 1,
      shared: 7,
    });
    expect(subgraph.received).toHaveLength(1);
    expect(subgraph.received[0]!.envelope).toMatchObject({ ok: true });
    for (const result of results) expect(result.body).toEqual(ITEMS);
  });

  it('control: with SUBGRAPH_DEDUP=false the same queries are sent once each', async () => {
    const token = signAccessToken(keys, { sub: '1', sid: 's-1' });
    const results = await together(
      plainUrl,
      Array(8).fill({ query: '{ items { id name } }', token }),
      { sends: 8, shared: 0 },
    );
    expect(subgraph.received).toHaveLength(8);
    for (const result of results) expect(result.body).toEqual(ITEMS);
  });

  it('never merges queries of different callers: users, sessions, token versions or anonymous', async () => {
    const callers = [
      signAccessToken(keys, { sub: '1', sid: 's-1' }),
      signAccessToken(keys, { sub: '2', sid: 's-1' }),
      signAccessToken(keys, { sub: '1', sid: 's-2' }),
      signAccessToken(keys, { sub: '1', sid: 's-1', ver: 3 }),
      signAccessToken(keys, { sub: '1', sid: 's-1', role: 'ADMIN' }),
      undefined,
    ];
    const results = await together(
      url,
      callers.map((token) => ({ query: '{ whoAmI }', token })),
      { sends: callers.length, shared: 0 },
    );
    expect(subgraph.received).toHaveLength(callers.length);
    expect(results.map((result) => result.body)).toEqual(
      ['1/s-1', '2/s-1', '1/s-2', '1/s-1', '1/s-1', 'anonymous'].map((whoAmI) => ({
        data: { whoAmI },
      })),
    );
    expect(subgraph.received.map(({ envelope }) => envelope.ok)).toEqual(
      Array(callers.length).fill(true),
    );
  });

  it('never merges mutations, even identical ones of one caller', async () => {
    const token = signAccessToken(keys, { sub: '1', sid: 's-1' });
    const results = await together(url, Array(4).fill({ query: 'mutation { bump }', token }), {
      sends: 4,
      shared: 0,
    });
    expect(subgraph.received).toHaveLength(4);
    for (const result of results) expect(result.body).toEqual({ data: { bump: 1 } });
  });

  it.each([
    ['an HTTP 500', 'http500', 'answered HTTP 500'],
    ['a dropped connection', 'drop', 'connection closed'],
  ] as const)('delivers %s of the shared request to every waiter', async (_, how, reason) => {
    const token = signAccessToken(keys, { sub: '1', sid: 's-1' });
    // Retries are on: a dropped query is sent once more, and that one is dropped too.
    const results = await together(
      url,
      Array(5).fill({ query: '{ items { id } }', token }),
      { sends: 1, shared: 4 },
      how,
    );
    expect(subgraph.received).toHaveLength(how === 'drop' ? 2 : 1);
    for (const result of results) {
      expect(result.body.data).toBeNull();
      expect(result.body.errors).toEqual([
        expect.objectContaining({
          message: `Subgraph "catalog" failed: ${reason}`,
          extensions: expect.objectContaining({ serviceName: 'catalog' }),
        }),
      ]);
    }
  });

  it('gives every waiter its own parse of the shared answer, which it may change', async () => {
    // @apollo/gateway and the fast executor write into the results they merge.
    const agent = new Agent();
    const source = new SubgraphDataSource({
      name: 'catalog',
      url: subgraph.url,
      fetcher: createSubgraphFetcher({ dispatcher: agent, timeoutMs: 2000 }),
      signingKey: envelopeKey(secret),
      logger: createLogger({ service: 'gateway', level: 'silent', format: 'json' }),
    });
    subgraph.received.length = 0;
    const call = () =>
      source.process({
        kind: GraphQLDataSourceRequestKind.HEALTH_CHECK,
        request: { query: '{ items { id name } }', variables: {} },
        context: {},
      });
    const first = call();
    const second = call();
    while (subgraph.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    subgraph.release();
    const [a, b] = await Promise.all([first, second]);
    expect(subgraph.received).toHaveLength(1);
    expect(a).toEqual(ITEMS);
    expect(b).toEqual(ITEMS);
    (a.data as typeof ITEMS.data).items[0]!.name = 'changed';
    expect(b).toEqual(ITEMS);
    await agent.close();
  });
});

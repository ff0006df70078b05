import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@fedstack/runtime/logger';
import { readGatewayConfig } from '../../config';
import { createGatewayServer, type GatewayServer } from '../../server';
import { composeStubs } from '../../__tests__/support/gatewayFixture';
import { generateTestKeys } from '../../__tests__/support/tokens';
import { fastExecutions } from '../executorMetrics';

const SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@inaccessible"])
type Query {
  status: Status
  count: Int
  pet: Pet
  things: [Thing!]!
  thing: Thing
}
enum Status { OPEN CLOSED SECRET @inaccessible }
interface Pet { name: String! }
type Dog implements Pet { name: String! }
type Ghost implements Pet @inaccessible { name: String! }
type Thing @key(fields: "id") { id: ID! label: String! }
`;

/**
 * What the misbehaving subgraph answers, by the client's operation name (the planner names each
 * subgraph operation after it): values its schema forbids, which only the gateway can catch.
 */
const ANSWERS: Record<string, unknown> = {
  Secret: { data: { status: 'SECRET' } },
  Open: { data: { status: 'OPEN' } },
  Count: { data: { count: 'many' } },
  Ghost: { data: { pet: { __typename: 'Ghost', name: 'boo' } } },
  Dog: { data: { pet: { __typename: 'Dog', name: 'rex' } } },
  NullLabel: {
    data: {
      things: [
        { id: '1', label: 'one' },
        { id: '2', label: null },
      ],
    },
  },
  WithError: {
    data: { thing: null, count: 'many' },
    errors: [{ message: 'thing is broken', path: ['thing'], extensions: { code: 'BROKEN' } }],
  },
};

function startOddSubgraph(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { operationName } = JSON.parse(body) as { operationName?: string };
      const answer = ANSWERS[String(operationName).split('__')[0] ?? ''] ?? { data: null };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function fastRuns(): Promise<number> {
  return (await fastExecutions.get()).values[0]?.value ?? 0;
}

describe('the fast executor shapes answers a subgraph got wrong exactly as Apollo does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fast-executor-'));
  let subgraph: Server;
  const gateways: Record<'apollo' | 'fast', { server: GatewayServer; url: string }> = {} as never;

  beforeAll(async () => {
    subgraph = await startOddSubgraph();
    const supergraphFile = join(dir, 'supergraph.graphql');
    writeFileSync(supergraphFile, composeStubs([{ name: 'odd', typeDefs: SDL }]));
    const env = {
      NODE_ENV: 'test',
      DATA_DIR: join(dir, 'data'),
      SUPERGRAPH_FILE: supergraphFile,
      ODD_URL: `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`,
      JWT_PUBLIC_KEY: generateTestKeys().publicKeyPem,
      GATEWAY_SIGNING_SECRET: randomBytes(32).toString('base64url'),
      TOKEN_REVOCATION_SUBGRAPH: 'none',
      LOG_LEVEL: 'silent',
    };
    for (const executor of ['apollo', 'fast'] as const) {
      const server = await createGatewayServer(
        readGatewayConfig({ ...env, GATEWAY_EXECUTOR: executor }),
        { logger: createLogger({ service: 'gateway', level: 'silent', format: 'json' }) },
      );
      const port = await server.listen(0, '127.0.0.1');
      gateways[executor] = { server, url: `http://127.0.0.1:${port}/graphql` };
    }
  });

  afterAll(async () => {
    await gateways.apollo?.server.stop();
    await gateways.fast?.server.stop();
    await new Promise((resolve) => subgraph?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Asks both gateways; checks the fast executor ran it and answered as Apollo; returns the text. */
  async function ask(query: string): Promise<{ text: string; body: Record<string, unknown> }> {
    const post = async (url: string) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      return response.text();
    };
    const ran = await fastRuns();
    const text = await post(gateways.fast.url);
    expect(await fastRuns()).toBe(ran + 1);
    const reference = await post(gateways.apollo.url);
    expect(JSON.parse(text)).toEqual(JSON.parse(reference));
    return { text, body: JSON.parse(text) as Record<string, unknown> };
  }

  it('an @inaccessible enum value becomes null with a completion error; an accessible one passes', async () => {
    const secret = await ask('query Secret { status }');
    expect(secret.text).not.toContain('SECRET');
    expect(secret.body).toEqual({
      data: { status: null },
      extensions: {
        valueCompletion: [
          expect.objectContaining({ message: 'Invalid value found for field Query.status.' }),
        ],
      },
    });
    expect((await ask('query Open { status }')).body).toEqual({ data: { status: 'OPEN' } });
  });

  it('an object of an @inaccessible type is nulled without naming it; an accessible one passes', async () => {
    const ghost = await ask('query Ghost { pet { name __typename } }');
    expect(ghost.text).not.toContain('Ghost');
    expect(ghost.text).not.toContain('boo');
    expect((ghost.body.data as Record<string, unknown>).pet).toBeNull();
    expect((await ask('query Dog { pet { name __typename } }')).body).toEqual({
      data: { pet: { name: 'rex', __typename: 'Dog' } },
    });
  });

  it('a null in a non-null field nulls its way up to the nullable data, with one error', async () => {
    const { body } = await ask('query NullLabel { things { id label } }');
    expect(body.data).toBeNull();
    expect(body.extensions).toEqual({
      valueCompletion: [
        expect.objectContaining({
          message: 'Cannot return null for non-nullable field Thing.label.',
          path: ['things', 1, 'label'],
        }),
      ],
    });
  });

  it('a value of the wrong type is refused; with a subgraph error, completion errors stay out', async () => {
    const count = await ask('query Count { count }');
    expect(count.body.data).toEqual({ count: null });
    const withError = await ask('query WithError { thing { id } count }');
    expect(withError.body.extensions).toBeUndefined();
    expect(withError.body.data).toEqual({ thing: null, count: null });
    expect(withError.body.errors).toEqual([
      expect.objectContaining({ message: 'thing is broken', path: ['thing'] }),
    ]);
  });
});

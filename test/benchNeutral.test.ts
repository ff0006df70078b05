import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { composeNeutralSupergraph } from '../scripts/bench/neutral/composeNeutralSupergraph';
import { startNeutralGateway, type RunningGateway } from '../scripts/bench/neutral/neutralGateways';
import { DEEP_QUERY, NEUTRAL_QUERIES } from '../scripts/bench/neutral/neutralQueries';
import { NEUTRAL_SUBGRAPHS } from '../scripts/bench/neutral/neutralSubgraphs';
import { runNeutralLoad, type LoadShape } from '../scripts/bench/neutral/runNeutralLoad';
import { startTransportFloor } from '../scripts/bench/neutral/startTransportFloor';
import {
  serveNeutralSubgraph,
  type NeutralSubgraphServer,
} from '../scripts/bench/neutral/serveNeutralSubgraph';

/**
 * Keeps `npm run bench` from rotting: the neutral bench's four subgraphs and this gateway, started
 * as the bench starts it, answer both queries exactly in both load shapes, and the bench's checker
 * fails an answer that is wrong. Speed is not checked here.
 */
const root = resolve(__dirname, '..');
const workDir = mkdtempSync(join(tmpdir(), 'bench-neutral-test-'));
let subgraphs: NeutralSubgraphServer[] = [];
let gateway: RunningGateway | undefined;

beforeAll(async () => {
  subgraphs = await Promise.all(
    NEUTRAL_SUBGRAPHS.map((subgraph) => serveNeutralSubgraph(subgraph)),
  );
  const supergraphFile = join(workDir, 'supergraph.graphql');
  writeFileSync(
    supergraphFile,
    composeNeutralSupergraph(Object.fromEntries(subgraphs.map((s) => [s.name, s.url]))),
  );
  gateway = await startNeutralGateway('fedstack', { root, supergraphFile, workDir });
}, 90_000);

afterAll(async () => {
  await gateway?.process.stop();
  await Promise.all(subgraphs.map((subgraph) => subgraph.close()));
  rmSync(workDir, { recursive: true, force: true });
});

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('neutral bench', () => {
  it('the deep query is one fetch from each of the four subgraphs, answered as expected', async () => {
    const before = subgraphs.map((subgraph) => subgraph.requests());
    const response = await post(String(gateway?.url), {
      query: DEEP_QUERY.query,
      variables: { first: DEEP_QUERY.first, offset: 4242 },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: DEEP_QUERY.expectedData(4242) });
    const fetches = Object.fromEntries(
      subgraphs.map((subgraph, i) => [subgraph.name, subgraph.requests() - (before[i] ?? 0)]),
    );
    expect(fetches).toEqual({ accounts: 1, products: 1, reviews: 1, inventory: 1 });
  });

  const cases = NEUTRAL_QUERIES.flatMap((query) =>
    (['repeated', 'distinct'] as LoadShape[]).map((shape) => [query.name, shape, query] as const),
  );
  it.each(cases)(
    'this gateway answers every %s query under load, %s requests',
    async (_name, shape, query) => {
      const counter = { next: 1 };
      const result = await runNeutralLoad({
        url: String(gateway?.url),
        pid: Number(gateway?.process.pid),
        query,
        shape,
        connections: 4,
        seconds: 0,
        amount: 24,
        counter,
      });
      expect(result.firstFailure).toBeUndefined();
      expect(result.failures).toBe(0);
      expect(result.requests).toBe(24);
      expect(result.cpuMsPerRequest).toBeGreaterThan(0);
      expect(result.peakRssMb).toBeGreaterThan(0);
      // Distinct requests each took the next offset; repeated ones never did.
      if (shape === 'distinct') expect(counter.next - 1).toBeGreaterThanOrEqual(result.requests);
      else expect(counter.next).toBe(1);
    },
    30_000,
  );

  it('the transport floor answers the deep query exactly, with the same four subgraph fetches', async () => {
    const floor = await startTransportFloor(
      root,
      Object.fromEntries(subgraphs.map((s) => [s.name, s.url])),
    );
    try {
      const before = subgraphs.map((subgraph) => subgraph.requests());
      const result = await runNeutralLoad({
        url: floor.url,
        pid: floor.process.pid,
        query: DEEP_QUERY,
        shape: 'distinct',
        connections: 4,
        seconds: 0,
        amount: 24,
        counter: { next: 1 },
        subgraphPids: [process.pid],
      });
      expect(result.firstFailure).toBeUndefined();
      expect(result.failures).toBe(0);
      expect(result.requests).toBe(24);
      expect(result.subgraphCpuMsPerRequest).toBeGreaterThan(0);
      expect(subgraphs.map((subgraph, i) => subgraph.requests() - (before[i] ?? 0))).toEqual([
        24, 24, 24, 24,
      ]);
    } finally {
      await floor.process.stop();
    }
  }, 60_000);

  it('an answer that differs from the expected one in a single field fails the bench', async () => {
    // The expected answer with one username changed, for whatever offset is asked.
    const server: Server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        const { variables } = JSON.parse(raw) as { variables: { offset: number } };
        const data = DEEP_QUERY.expectedData(variables.offset) as {
          users: Array<{ username: string }>;
        };
        (data.users[1] as { username: string }).username = 'someone-else';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data }));
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const result = await runNeutralLoad({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        pid: process.pid,
        query: DEEP_QUERY,
        shape: 'distinct',
        connections: 2,
        seconds: 0,
        amount: 10,
        counter: { next: 1 },
      });
      expect(result.requests).toBe(10);
      expect(result.failures).toBe(10);
      expect(result.firstFailure).toContain('someone-else');
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  }, 30_000);
});

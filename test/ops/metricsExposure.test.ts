/**
 * Item 10: in production `/metrics` is served only on `METRICS_PORT`, never on a service's own
 * port, and operation names chosen by clients cannot add metric labels nor push the real
 * operations (`METRICS_OPERATIONS`) out of them. Real processes, as docker-compose.yml runs them.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  postGraphQL,
  spawnService,
  startProcessStack,
  type ProcessStack,
  type ServiceProcess,
} from '../helpers/processes';
import { productionSecrets } from '../helpers/stack';

const secrets = productionSecrets();
let stack: ProcessStack;
let gatewayMetricsPort: number;
let users: ServiceProcess | undefined;
let usersDataDir: string;

beforeAll(async () => {
  gatewayMetricsPort = await freePort();
  const signing = { GATEWAY_SIGNING_SECRET: secrets.GATEWAY_SIGNING_SECRET };
  stack = await startProcessStack({
    subgraphEnv: {
      users: { ...signing, JWT_PRIVATE_KEY: secrets.JWT_PRIVATE_KEY },
      orders: signing,
      suppliers: signing,
    },
    gatewayEnv: {
      ...signing,
      NODE_ENV: 'production',
      JWT_PUBLIC_KEY: secrets.JWT_PUBLIC_KEY,
      METRICS_PORT: String(gatewayMetricsPort),
      METRICS_OPERATIONS: 'Suppliers,Me',
    },
  });
  usersDataDir = mkdtempSync(join(tmpdir(), 'fedstack-metrics-users-'));
});
afterAll(async () => {
  await stack?.stop();
  await users?.stop();
  rmSync(usersDataDir, { recursive: true, force: true });
});

const metricsAt = (origin: string) =>
  fetch(`${origin}/metrics`).then(async (res) => ({ status: res.status, text: await res.text() }));

/** The `operation` label values of the gateway's request counter, with their counts. */
function gatewayOperations(metrics: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [, operation, value] of metrics.matchAll(
    /^graphql_requests_total\{service="gateway",operation="([^"]*)",outcome="[a-z]+"\} (\d+)$/gm,
  )) {
    counts[operation!] = (counts[operation!] ?? 0) + Number(value);
  }
  return counts;
}

describe('10. metrics in production', () => {
  it('the gateway serves /metrics on METRICS_PORT only', async () => {
    const publicPort = await metricsAt(stack.services.gateway.origin);
    expect(publicPort.status).toBe(404);
    expect(publicPort.text).not.toMatch(/process_cpu|graphql_requests_total/);
    const metricsPort = await metricsAt(`http://127.0.0.1:${gatewayMetricsPort}`);
    expect(metricsPort.status).toBe(200);
    expect(metricsPort.text).toMatch(/^process_cpu_user_seconds_total \d/m);
  });

  it('1000 random operation names neither add labels nor push out the listed operations', async () => {
    const suppliers = () => stack.request('query Suppliers { suppliers { id } }');
    expect((await suppliers()).body.data).toMatchObject({ suppliers: expect.any(Array) });
    const names = Array.from(
      { length: 1000 },
      (_, i) => `R${i}_${Math.random().toString(36).slice(2)}`,
    );
    for (let i = 0; i < names.length; i += 25) {
      const answers = await Promise.all(
        names
          .slice(i, i + 25)
          .map((name) => postGraphQL(stack.gatewayUrl, `query ${name} { __typename }`)),
      );
      for (const answer of answers) expect(answer.body.data).toEqual({ __typename: 'Query' });
    }
    expect((await suppliers()).body.data).toMatchObject({ suppliers: expect.any(Array) });

    const metrics = await metricsAt(`http://127.0.0.1:${gatewayMetricsPort}`);
    const operations = gatewayOperations(metrics.text);
    expect(operations).toEqual({ Suppliers: 2, other: 1000 });
    expect(metrics.text).not.toMatch(/operation="R\d/);
  });

  it('a production subgraph serves /metrics on METRICS_PORT only', async () => {
    const metricsPort = await freePort();
    users = await spawnService('users', {
      NODE_ENV: 'production',
      DATA_DIR: usersDataDir,
      LOG_LEVEL: 'warn',
      GATEWAY_SIGNING_SECRET: secrets.GATEWAY_SIGNING_SECRET,
      JWT_PRIVATE_KEY: secrets.JWT_PRIVATE_KEY,
      METRICS_PORT: String(metricsPort),
    });
    const ownPort = await metricsAt(users.origin);
    expect(ownPort.status).toBe(404);
    expect(ownPort.text).not.toMatch(/process_cpu/);
    const separate = await metricsAt(`http://127.0.0.1:${metricsPort}`);
    expect(separate.status).toBe(200);
    expect(separate.text).toMatch(/^process_cpu_user_seconds_total \d/m);
    // The metrics port serves metrics only.
    expect((await fetch(`http://127.0.0.1:${metricsPort}/health`)).status).toBe(404);
  });

  it('stopping the process stack removes its data folder', async () => {
    expect(existsSync(stack.dataDir)).toBe(true);
    await stack.stop();
    expect(existsSync(stack.dataDir)).toBe(false);
  });
});

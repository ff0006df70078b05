/**
 * `npm run dev` (scripts/dev.ts) on free ports with a temporary DATA_DIR, composing from a
 * temporary copy of supergraph.yaml and the subgraph schemas, so that the test edits no tracked
 * schema: a schema edit reaches the running gateway, a broken one leaves everything running, and
 * a touched source file restarts its service.
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  freePort,
  isAlive,
  isHealthy,
  postGraphQL,
  ROOT,
  SUBGRAPH_NAMES,
  waitFor,
  type Exit,
} from './helpers/processes';
import { isIgnoredSource } from '../scripts/watchStack';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

/** Every `[name] started (pid N)` line's pid, per service, in order. */
function startedPids(output: string): Map<string, number[]> {
  const pids = new Map<string, number[]>();
  for (const match of output.matchAll(/^\[([\w-]+)\]\s+started \(pid (\d+)\)$/gm))
    pids.set(match[1]!, [...(pids.get(match[1]!) ?? []), Number(match[2])]);
  return pids;
}

async function supplierFields(gateway: string): Promise<string[]> {
  const response = await postGraphQL<{ __type: { fields: Array<{ name: string }> } }>(
    gateway,
    '{ __type(name: "Supplier") { fields { name } } }',
  );
  return response.body.data?.__type.fields.map((field) => field.name) ?? [];
}

describe('npm run dev', () => {
  it('recomposes on a schema edit without restarting the gateway, keeps the last good supergraph on a broken one, and restarts a service whose source changed', async () => {
    const work = mkdtempSync(join(tmpdir(), 'fedstack-dev-'));
    const dataDir = join(work, 'data');
    const supergraphFile = join(work, 'supergraph.graphql');
    const schemaOf = (name: string) => join(work, 'subgraphs', name, 'schema.graphql');
    cpSync(join(ROOT, 'supergraph.yaml'), join(work, 'supergraph.yaml'));
    for (const name of SUBGRAPH_NAMES) {
      mkdirSync(dirname(schemaOf(name)), { recursive: true });
      cpSync(join(ROOT, 'subgraphs', name, 'schema.graphql'), schemaOf(name));
    }
    const [gatewayPort, ...subgraphPorts] = await Promise.all(
      [0, ...SUBGRAPH_NAMES].map(() => freePort()),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATA_DIR: dataDir,
        GATEWAY_PORT: String(gatewayPort),
        ...Object.fromEntries(
          SUBGRAPH_NAMES.map((name, i) => [subgraphVariables(name).port, String(subgraphPorts[i])]),
        ),
        SUPERGRAPH_CONFIG: join(work, 'supergraph.yaml'),
        SUPERGRAPH_FILE: supergraphFile,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<Exit>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const gateway = `http://127.0.0.1:${gatewayPort}/graphql`;
    const running = () => {
      if (child.exitCode !== null) throw new Error(`npm run dev exited:\n${output}`);
    };
    try {
      await waitFor(
        'npm run dev to be ready',
        () => {
          running();
          return output.includes('watching') && output.includes('Press Ctrl-C to stop');
        },
        60_000,
      );
      const [gatewayPid] = startedPids(output).get('gateway') ?? [];
      expect(gatewayPid).toBeGreaterThan(0);
      expect(await supplierFields(gateway)).not.toContain('nickname');

      // (1) A field added to a schema reaches the running gateway; the gateway is not restarted.
      const suppliersSchema = readFileSync(schemaOf('suppliers'), 'utf8');
      const withNickname = suppliersSchema.replace(
        /^type Supplier @key\(fields: "id"\) \{$/m,
        '$&\n  nickname: String',
      );
      expect(withNickname).not.toBe(suppliersSchema);
      writeFileSync(schemaOf('suppliers'), withNickname);
      await waitFor(
        'the gateway to serve Supplier.nickname',
        async () => {
          running();
          return (await supplierFields(gateway)).includes('nickname');
        },
        15_000,
      );
      expect(readFileSync(supergraphFile, 'utf8')).toContain('nickname: String');
      expect(startedPids(output).get('gateway')).toEqual([gatewayPid]);
      expect(isAlive(gatewayPid!)).toBe(true);
      // The subgraph that serves the schema restarts with it.
      await waitFor('suppliers to restart', () =>
        output.includes('[suppliers] restarted and ready'),
      );

      // (2) A schema that does not compose: the supergraph stays, the errors are printed, the
      // gateway keeps answering, and the subgraph is not restarted onto it.
      const goodSupergraph = readFileSync(supergraphFile, 'utf8');
      const ordersPids = startedPids(output).get('orders');
      writeFileSync(
        schemaOf('orders'),
        `${readFileSync(schemaOf('orders'), 'utf8')}\ntype Broken {\n  x: Nope\n}\n`,
      );
      await waitFor('the composition errors', () => output.includes('composition failed'), 15_000);
      expect(output).toMatch(/^\[dev\]\s+ {2}- \[orders\] Unknown type "?Nope"?/m);
      expect(readFileSync(supergraphFile, 'utf8')).toBe(goodSupergraph);
      expect(await supplierFields(gateway)).toContain('nickname');
      expect(startedPids(output).get('orders')).toEqual(ordersPids);
      expect(startedPids(output).get('gateway')).toEqual([gatewayPid]);

      // (3) A touched source file restarts its service, and the stack answers across subgraphs.
      const [ordersPid] = ordersPids ?? [];
      const now = new Date();
      utimesSync(join(ROOT, 'subgraphs', 'orders', 'src', 'main.ts'), now, now);
      await waitFor(
        'orders to restart',
        () => {
          running();
          return (startedPids(output).get('orders') ?? []).length > 1;
        },
        15_000,
      );
      await waitFor(
        'the new orders process to be ready',
        async () =>
          /^\[orders\]\s+restarted and ready$/m.test(output) &&
          (await isHealthy(`http://127.0.0.1:${subgraphPorts[SUBGRAPH_NAMES.indexOf('orders')]}`)),
        30_000,
      );
      expect(isAlive(ordersPid!)).toBe(false);
      const login = await postGraphQL<{ login: { accessToken: string } }>(
        gateway,
        'mutation { login(username: "alice", password: "alice-password") { accessToken } }',
      );
      const me = await postGraphQL<{ me: { orders: Array<{ item: string }> } }>(
        gateway,
        '{ me { username orders { item } } }',
        {},
        { authorization: `Bearer ${login.body.data?.login.accessToken}` },
      );
      expect(me.body.errors).toBeUndefined();
      expect(me.body.data?.me.orders.length).toBeGreaterThan(0);

      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
      for (const pids of startedPids(output).values()) expect(pids.filter(isAlive)).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      for (const pids of startedPids(output).values())
        for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('isIgnoredSource', () => {
  it('skips tests, hidden and editor files, and keeps the sources a service loads', () => {
    for (const file of ['resolvers/Order.ts', 'server.ts', 'migrations/20261123_create.ts'])
      expect(isIgnoredSource(file)).toBe(false);
    for (const file of [
      '__tests__/orders.test.ts',
      'server.test.ts',
      '.server.ts.swp',
      'server.ts~',
      '4913',
      'node_modules/x/index.js',
    ])
      expect(isIgnoredSource(file)).toBe(true);
  });
});

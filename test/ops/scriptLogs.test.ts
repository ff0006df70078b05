/**
 * `npm run migrate` and `npm run seed` with stdout piped (a log collector, a CI job): JSON lines,
 * like the services' own logs, each naming the script and the subgraph.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, SUBGRAPH_NAMES } from '../helpers/processes';

/** Runs a script as `npm run` does (node with tsx), stdout piped; resolves with its stdout. */
async function runScript(file: string, args: string[], dataDir: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts', file), ...args],
    { cwd: ROOT, env: { ...process.env, NODE_ENV: 'development', DATA_DIR: dataDir } },
  );
  return stdout;
}

/** Each non-empty line parsed as JSON; a line that is not JSON fails the test, quoted. */
function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'fedstack-scripts-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

it('npm run migrate logs one JSON line per subgraph, with what it applied, then what is pending', async () => {
  const up = jsonLines(await runScript('migrate.ts', [], dataDir));
  // One line per subgraph of supergraph.yaml, in seed order (users, suppliers, orders, ...).
  expect(up.map((line) => [line.service, line.subgraph])).toEqual(
    SUBGRAPH_NAMES.map((name) => ['migrate', name]),
  );
  expect(SUBGRAPH_NAMES.slice(0, 3)).toEqual(['users', 'suppliers', 'orders']);
  expect(up[0]?.applied).toEqual(expect.arrayContaining(['20261123000100_create_users']));

  const status = jsonLines(await runScript('migrate.ts', ['status', 'orders'], dataDir));
  expect(status).toEqual([
    expect.objectContaining({
      service: 'migrate',
      subgraph: 'orders',
      applied: expect.arrayContaining(['20261123000100_create_orders']),
      pending: [],
    }),
  ]);
}, 60_000);

it('npm run seed logs JSON lines, the seeded accounts named and their passwords absent', async () => {
  const stdout = await runScript('seed.ts', [], dataDir);
  const lines = jsonLines(stdout);
  expect(lines.every((line) => line.service === 'seed')).toBe(true);
  expect(lines).toContainEqual(
    expect.objectContaining({ subgraph: 'users', accounts: ['admin', 'alice', 'bob'] }),
  );
  expect(lines.at(-1)?.msg).toBe('seed done');
  expect(stdout).not.toContain('alice-password');
}, 60_000);

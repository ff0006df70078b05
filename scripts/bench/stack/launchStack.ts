import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Env } from '@fedstack/kit';
import { devSecretFiles } from '@fedstack/runtime/devSecrets';
import { freePort } from '../../freePort';
import { mainFileOf, SUBGRAPHS } from '../../subgraphs';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

const ROOT = resolve(__dirname, '..', '..', '..');
const SUBGRAPH_NAMES = SUBGRAPHS.map((definition) => definition.name);

/** A service of the bench, running as its own process. */
export interface BenchProcess {
  name: string;
  origin: string;
  /** Where GraphQL requests go. */
  url: string;
  pid: number;
}

export interface LaunchedStack {
  gateway: BenchProcess;
  baseline: BenchProcess;
  subgraphs: BenchProcess[];
  /** Stops every process (SIGTERM, then SIGKILL after 5 s) and waits for them. */
  stop(): Promise<void>;
}

function launch(entry: string, args: string[], env: Env, nodeFlags: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, '--import', 'tsx', entry, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', process.env.BENCH_VERBOSE === '1' ? 'inherit' : 'ignore', 'inherit'],
  });
}

async function waitUntil(what: string, child: ChildProcess, check: () => Promise<boolean>) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up in 60 s`);
}

/**
 * Starts the three subgraphs and this gateway as `npm start` runs them (each
 * `node --import tsx <entry>` with `env`, whose `DATA_DIR` already holds migrated databases and
 * the development keys), and the plain `@apollo/gateway` baseline over the same subgraphs.
 */
export async function launchStack(
  env: Env,
  options: { subgraphNodeFlags?: string[] } = {},
): Promise<LaunchedStack> {
  const [gatewayPort, baselinePort, ...subgraphPorts] = await Promise.all(
    Array.from({ length: 2 + SUBGRAPH_NAMES.length }, freePort),
  );
  const ports = new Map(SUBGRAPH_NAMES.map((name, i) => [name, Number(subgraphPorts[i])]));
  const full: Env = { ...env, GATEWAY_PORT: String(gatewayPort) };
  for (const name of SUBGRAPH_NAMES) {
    full[subgraphVariables(name).port] = String(ports.get(name));
    full[subgraphVariables(name).url] = `http://127.0.0.1:${ports.get(name)}/graphql`;
  }
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    const subgraphs: BenchProcess[] = [];
    for (const name of SUBGRAPH_NAMES) {
      const child = launch(mainFileOf(name), [], full, options.subgraphNodeFlags);
      children.push(child);
      const origin = `http://127.0.0.1:${ports.get(name)}`;
      subgraphs.push({ name, origin, url: `${origin}/graphql`, pid: child.pid ?? 0 });
    }
    for (const [i, subgraph] of subgraphs.entries()) {
      await waitUntil(subgraph.name, children[i] as ChildProcess, async () => {
        return (await fetch(`${subgraph.origin}/health`)).ok;
      });
    }
    const gatewayChild = launch(mainFileOf('gateway'), [], full);
    children.push(gatewayChild);
    const keys = devSecretFiles(String(env.DATA_DIR));
    const baselineChild = launch(
      'scripts/bench/plainGateway.ts',
      [
        String(baselinePort),
        resolve(ROOT, String(env.SUPERGRAPH_FILE ?? 'supergraph.graphql')),
        keys.jwtPublicKey,
        keys.signingSecret,
        ...SUBGRAPH_NAMES.map((name) => `${name}=${full[subgraphVariables(name).url]}`),
      ],
      full,
    );
    children.push(baselineChild);
    const gateway: BenchProcess = {
      name: 'gateway',
      origin: `http://127.0.0.1:${gatewayPort}`,
      url: `http://127.0.0.1:${gatewayPort}/graphql`,
      pid: gatewayChild.pid ?? 0,
    };
    const baseline: BenchProcess = {
      name: 'plain @apollo/gateway',
      origin: `http://127.0.0.1:${baselinePort}`,
      url: `http://127.0.0.1:${baselinePort}/`,
      pid: baselineChild.pid ?? 0,
    };
    await waitUntil('gateway', gatewayChild, async () => {
      return (await fetch(`${gateway.origin}/health`)).ok;
    });
    await waitUntil('baseline gateway', baselineChild, async () => {
      const response = await fetch(baseline.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{__typename}"}',
      });
      return response.ok;
    });
    return { gateway, baseline, subgraphs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

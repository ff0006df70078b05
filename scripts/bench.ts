import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from './freePort';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'undici';
import { devSecretFiles } from '@fedstack/kit/devSecrets';

/**
 * `npm run bench`: runs the stack's subgraphs once, then puts the same authenticated,
 * three-subgraph query through this gateway and through a plain `@apollo/gateway` baseline,
 * alternately, and prints throughput, latency and memory with their ratios.
 *
 * BENCH_SECONDS (default 10) per round, BENCH_CONCURRENCY (default 32) requests in flight,
 * BENCH_ROUNDS (default 2) rounds per gateway.
 */
const root = resolve(__dirname, '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const QUERY = JSON.stringify({
  query:
    '{ me { username orders { item supplier { name createdBy { username } } } suppliers { name } } }',
});

function launch(entry: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function waitFor(url: string, init?: RequestInit): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, init)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

interface Result {
  requests: number;
  errors: number;
  latencies: number[];
  seconds: number;
}

async function load(url: string, token: string): Promise<Result> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        const res = await pool.request({
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: QUERY,
        });
        const text = await res.body.text();
        latencies.push(performance.now() - t0);
        if (res.statusCode !== 200 || text.includes('"errors"')) errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return { requests: latencies.length, errors, latencies, seconds: elapsed };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-bench-'));
  const [users, orders, suppliers, ours, plain] = await Promise.all(
    Array.from({ length: 5 }, freePort),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    USERS_PORT: String(users),
    ORDERS_PORT: String(orders),
    SUPPLIERS_PORT: String(suppliers),
    GATEWAY_PORT: String(ours),
    USERS_URL: `http://127.0.0.1:${users}/graphql`,
    ORDERS_URL: `http://127.0.0.1:${orders}/graphql`,
    SUPPLIERS_URL: `http://127.0.0.1:${suppliers}/graphql`,
  };
  const children: ChildProcess[] = [];
  try {
    // Seed in development mode (it creates the keys too), then run everything in production mode
    // with those keys passed explicitly, as an operator would.
    await new Promise<void>((done, fail) =>
      launch('scripts/seed.ts', [], { ...env, NODE_ENV: 'development' }).once('exit', (code) =>
        code === 0 ? done() : fail(new Error(`seed exited ${code}`)),
      ),
    );
    const keys = devSecretFiles(dataDir);
    Object.assign(env, {
      NODE_ENV: 'development',
      JWT_PRIVATE_KEY_FILE: keys.jwtPrivateKey,
      JWT_PUBLIC_KEY_FILE: keys.jwtPublicKey,
      GATEWAY_SIGNING_SECRET_FILE: keys.signingSecret,
    });
    for (const name of ['users', 'orders', 'suppliers']) {
      children.push(launch(`subgraphs/${name}/src/main.ts`, [], env));
    }
    for (const port of [users, orders, suppliers]) await waitFor(`http://127.0.0.1:${port}/health`);
    const gateway = launch('gateway/src/main.ts', [], env);
    const baseline = launch(
      'scripts/bench/plainGateway.ts',
      [
        String(plain),
        join(root, 'supergraph.graphql'),
        keys.jwtPublicKey,
        keys.signingSecret,
        `users=${env.USERS_URL}`,
        `orders=${env.ORDERS_URL}`,
        `suppliers=${env.SUPPLIERS_URL}`,
      ],
      env,
    );
    children.push(gateway, baseline);
    await waitFor(`http://127.0.0.1:${ours}/health`);
    const probe = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{__typename}"}',
    };
    await waitFor(`http://127.0.0.1:${plain}/`, probe);

    const login = (await (
      await fetch(`http://127.0.0.1:${ours}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query:
            'mutation { login(username: "alice", password: "alice-password") { accessToken } }',
        }),
      })
    ).json()) as { data: { login: { accessToken: string } } };
    const token = login.data.login.accessToken;

    const targets = [
      {
        name: 'plain @apollo/gateway',
        url: `http://127.0.0.1:${plain}/`,
        pid: baseline.pid,
        results: [] as Result[],
      },
      {
        name: 'fedstack gateway',
        url: `http://127.0.0.1:${ours}/graphql`,
        pid: gateway.pid,
        results: [] as Result[],
      },
    ];
    console.log(
      `warming up, then ${rounds} round(s) of ${seconds} s at concurrency ${concurrency} per gateway`,
    );
    for (const target of targets) {
      const sample = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: QUERY,
      });
      const text = await sample.text();
      if (sample.status !== 200 || text.includes('"errors"')) {
        throw new Error(
          `${target.name} cannot answer the benchmark query: ${sample.status} ${text.slice(0, 300)}`,
        );
      }
      await load(target.url, token);
    }
    for (let round = 0; round < rounds; round += 1) {
      for (const target of targets) target.results.push(await load(target.url, token));
    }

    const rows = targets.map((target) => {
      const latencies = target.results.flatMap((r) => r.latencies).sort((a, b) => a - b);
      const requests = target.results.reduce((sum, r) => sum + r.requests, 0);
      const elapsed = target.results.reduce((sum, r) => sum + r.seconds, 0);
      const errors = target.results.reduce((sum, r) => sum + r.errors, 0);
      return {
        name: target.name,
        rps: requests / elapsed,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        errors,
        rss: rssMb(target.pid),
      };
    });
    console.log('\ngateway                 req/s     p50 ms   p99 ms   errors   RSS MB');
    for (const row of rows) {
      console.log(
        `${row.name.padEnd(22)} ${row.rps.toFixed(0).padStart(7)} ${row.p50.toFixed(2).padStart(9)} ${row.p99.toFixed(2).padStart(8)} ${String(row.errors).padStart(8)} ${row.rss.toFixed(0).padStart(8)}`,
      );
    }
    const [base, mine] = rows as [(typeof rows)[0], (typeof rows)[0]];
    console.log(
      `\nratio (fedstack / plain): throughput ${(mine.rps / base.rps).toFixed(2)}x, p99 latency ${(mine.p99 / base.p99).toFixed(2)}x, RSS ${(mine.rss / base.rss).toFixed(2)}x`,
    );
    if (mine.errors > 0 || base.errors > 0) process.exitCode = 1;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exit(1);
});

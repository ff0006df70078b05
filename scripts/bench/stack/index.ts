import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Env } from '@fedstack/kit';
import { devSecretFiles, readSecretFile } from '@fedstack/runtime/devSecrets';
import { AccessTokenSigner } from '../../../subgraphs/users/src/auth/tokens';
import { launchStack, type BenchProcess } from './launchStack';
import { processCpuMs, processRssMb } from './processCpu';
import { runLoad, type LoadRequest, type LoadResult } from './runLoad';
import { DEFAULT_BENCH_DATA, seedBenchData, type BenchDataSize } from './seedBenchData';
import { ME_QUERY, stackOperations, type StackOperation } from './stackOperations';
import { statementCount } from './statementCount';

/** How the stack bench loads each gateway. */
export interface StackBenchOptions {
  /** Length of one measured round, per gateway and operation. */
  seconds: number;
  /** Measured rounds per gateway and operation; the gateways alternate. */
  rounds: number;
  /** Requests kept in flight. */
  connections: number;
  /** Only these operations (by name, as printed); default all. */
  only?: string[];
  /** Node flags for the subgraph processes, e.g. `--cpu-prof` to see where their time goes. */
  subgraphNodeFlags?: string[];
}

/** One gateway's figures for one operation, over all its rounds. */
export interface GatewayFigures {
  rps: number;
  /** req/s of each round, in order. */
  roundRps: number[];
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Responses that were not the expected answer; any fails the bench. */
  failures: number;
  firstFailure?: string;
  /** CPU time of the gateway process per request, in ms. */
  gatewayCpuMs: number;
  /** CPU time of the three subgraph processes together per request, in ms. */
  subgraphCpuMs: number;
}

export interface StackOperationReport {
  name: string;
  targeted: boolean;
  stack: GatewayFigures;
  baseline: GatewayFigures;
  /** Stack req/s over baseline req/s, over all rounds. */
  ratio: number;
  /** The lowest ratio of one round of the stack to the same round of the baseline. */
  worstRoundRatio: number;
  /** SQL statements per request, all subgraphs together, and by subgraph. */
  statements: number;
  statementsBySubgraph: Record<string, number>;
}

/** A claim the bench checks, with what it measured. */
export interface StackCheck {
  claim: string;
  ok: boolean;
  detail: string;
}

export interface StackBenchReport {
  options: StackBenchOptions;
  data: BenchDataSize;
  database: 'sqlite';
  operations: StackOperationReport[];
  checks: StackCheck[];
  passed: boolean;
  gatewayRssMb: number;
  baselineRssMb: number;
}

/** The stack must serve at least this many times its baseline on the targeted operations. */
export const TARGET_RATIO = 3;
/** Sequential requests per statement count; the lowest of three tries is kept. */
const STATEMENT_SAMPLE = 20;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function send(url: string, request: LoadRequest): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...request.headers },
    body: request.body,
  });
  return { status: response.status, text: await response.text() };
}

/**
 * SQL statements per request of `request`, by subgraph: `STATEMENT_SAMPLE` requests one after
 * another through `url`, counted from each subgraph's metrics. Background statements (the
 * revocation feed's polls) can land in a sample, so the sample with the fewest is kept of three.
 */
async function statementsPerRequest(
  url: string,
  subgraphs: BenchProcess[],
  request: (n: number) => LoadRequest,
): Promise<Record<string, number>> {
  let best: Record<string, number> | undefined;
  let bestTotal = Infinity;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const before = await Promise.all(subgraphs.map((s) => statementCount(s.origin)));
    for (let n = 0; n < STATEMENT_SAMPLE; n += 1) await send(url, request(n));
    const after = await Promise.all(subgraphs.map((s) => statementCount(s.origin)));
    const counts = Object.fromEntries(
      subgraphs.map((s, i) => [s.name, ((after[i] ?? 0) - (before[i] ?? 0)) / STATEMENT_SAMPLE]),
    );
    const total = Object.values(counts).reduce((sum, value) => sum + value, 0);
    if (total < bestTotal) [best, bestTotal] = [counts, total];
  }
  return best ?? {};
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/**
 * Runs the stack bench: seeds temporary SQLite databases at a realistic size (1 000 users, 200
 * suppliers, 20 000 orders), starts the subgraphs and this gateway as `npm start` runs them
 * (NODE_ENV=development, logs at warn, login throttles raised), plus a plain `@apollo/gateway`
 * over the same subgraphs, counts SQL statements per operation, then loads each operation
 * through both gateways in alternating rounds after a warm-up. Every process and the data are
 * removed at the end.
 */
export async function runStackBench(options: StackBenchOptions): Promise<StackBenchReport> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-stack-bench-'));
  const env: Env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    DATA_DIR: dataDir,
    // The login operation logs every account in again and again; failures are never expected,
    // but a throttle must not be what the bench measures.
    LOGIN_ACCOUNT_MAX_FAILURES: '1000',
    LOGIN_IP_MAX_FAILURES: '1000000',
  };
  let stop: (() => Promise<void>) | undefined;
  try {
    const started = performance.now();
    const progress = (step: string) =>
      process.stderr.write(
        `stack bench: ${step} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
      );
    progress('seeding');
    const data = await seedBenchData(env, DEFAULT_BENCH_DATA);
    progress('starting the services');
    // Tokens are minted with the stack's own signer and key, as a login would issue them:
    // logging 1 000 accounts in first would cost minutes of argon2 and measure nothing.
    const keys = devSecretFiles(dataDir);
    const signer = new AccessTokenSigner({
      privateKeyPem: readSecretFile(keys.jwtPrivateKey),
      issuer: 'fedstack',
      audience: 'fedstack-api',
      accessTokenTtlSeconds: 3600,
    });
    const tokenFor = (id: string, role: 'USER' | 'ADMIN') =>
      signer.sign({ id: Number(id), role, sessionId: randomUUID(), tokenVersion: 0 });
    const tokens = data.users.map((user) => tokenFor(user.id, 'USER'));
    const adminToken = tokenFor(data.refs.users?.admin ?? '', 'ADMIN');
    const operations = stackOperations(data, tokens, adminToken).filter(
      (operation) => !options.only || options.only.some((name) => operation.name.startsWith(name)),
    );

    const stack = await launchStack(env, {
      ...(options.subgraphNodeFlags ? { subgraphNodeFlags: options.subgraphNodeFlags } : {}),
    });
    stop = stack.stop;
    const targets = [stack.baseline, stack.gateway];

    for (const operation of operations) {
      for (const target of targets) {
        const answer = await send(target.url, operation.request(0));
        if (!operation.check(answer.status, answer.text)) {
          throw new Error(
            `${target.name} cannot answer ${operation.name}: ${answer.status} ${answer.text.slice(0, 300)}`,
          );
        }
      }
    }

    progress('counting SQL statements');
    const statementsOf = new Map<StackOperation, Record<string, number>>();
    for (const operation of operations) {
      statementsOf.set(
        operation,
        await statementsPerRequest(stack.gateway.url, stack.subgraphs, operation.request),
      );
    }
    const meOf = (token: string) => () => ({
      body: JSON.stringify({ query: ME_QUERY }),
      headers: { authorization: `Bearer ${token}` },
    });
    const few = sum(
      Object.values(
        await statementsPerRequest(stack.gateway.url, stack.subgraphs, meOf(tokens[0] ?? '')),
      ),
    );
    const many = sum(
      Object.values(
        await statementsPerRequest(stack.gateway.url, stack.subgraphs, meOf(tokens[1] ?? '')),
      ),
    );

    const reports: StackOperationReport[] = [];
    for (const operation of operations) {
      const results = new Map<BenchProcess, Array<LoadResult & { cpu: number; subCpu: number }>>(
        targets.map((target) => [target, []]),
      );
      const measure = async (target: BenchProcess, seconds: number) => {
        const cpu0 = processCpuMs(target.pid);
        const sub0 = sum(stack.subgraphs.map((s) => processCpuMs(s.pid)));
        const result = await runLoad({
          url: target.url,
          connections: options.connections,
          seconds,
          next: operation.request,
          check: operation.check,
        });
        const cpu = processCpuMs(target.pid) - cpu0;
        const subCpu = sum(stack.subgraphs.map((s) => processCpuMs(s.pid))) - sub0;
        return { ...result, cpu, subCpu };
      };
      progress(`loading ${operation.name}`);
      for (const target of targets) await measure(target, Math.min(2, options.seconds));
      for (let round = 0; round < options.rounds; round += 1) {
        const order = round % 2 === 0 ? targets : [...targets].reverse();
        for (const target of order)
          results.get(target)?.push(await measure(target, options.seconds));
      }
      const figures = (target: BenchProcess): GatewayFigures => {
        const runs = results.get(target) ?? [];
        const requests = sum(runs.map((run) => run.requests));
        const latencies = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
        const firstFailure = runs.find((run) => run.firstFailure)?.firstFailure;
        return {
          rps: requests / sum(runs.map((run) => run.seconds)),
          roundRps: runs.map((run) => run.requests / run.seconds),
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
          requests,
          failures: sum(runs.map((run) => run.failures)),
          ...(firstFailure === undefined ? {} : { firstFailure }),
          gatewayCpuMs: sum(runs.map((run) => run.cpu)) / Math.max(1, requests),
          subgraphCpuMs: sum(runs.map((run) => run.subCpu)) / Math.max(1, requests),
        };
      };
      const mine = figures(stack.gateway);
      const base = figures(stack.baseline);
      const bySubgraph = statementsOf.get(operation) ?? {};
      reports.push({
        name: operation.name,
        targeted: operation.targeted,
        stack: mine,
        baseline: base,
        ratio: mine.rps / base.rps,
        worstRoundRatio: Math.min(
          ...mine.roundRps.map((rps, i) => rps / (base.roundRps[i] ?? Infinity)),
        ),
        statements: sum(Object.values(bySubgraph)),
        statementsBySubgraph: bySubgraph,
      });
    }

    const checks: StackCheck[] = [];
    const failures = sum(reports.map((r) => r.stack.failures + r.baseline.failures));
    checks.push({
      claim: 'every response is the expected answer',
      ok: failures === 0,
      detail:
        failures === 0
          ? `${sum(reports.map((r) => r.stack.requests + r.baseline.requests))} responses checked`
          : `${failures} wrong or failed; first: ${reports.map((r) => r.stack.firstFailure ?? r.baseline.firstFailure).find(Boolean)}`,
    });
    for (const report of reports.filter((r) => r.targeted)) {
      checks.push({
        claim: `${report.name}: the stack serves >= ${TARGET_RATIO}x its baseline in every round`,
        ok: report.worstRoundRatio >= TARGET_RATIO,
        detail: `worst round ${report.worstRoundRatio.toFixed(2)}x, overall ${report.ratio.toFixed(2)}x`,
      });
    }
    checks.push({
      claim: 'SQL statements per request do not grow with rows (me: 5 orders vs 50 orders)',
      ok: few === many,
      detail: `${few} vs ${many} statements`,
    });
    return {
      options,
      data: data.size,
      database: 'sqlite',
      operations: reports,
      checks,
      passed: checks.every((check) => check.ok),
      gatewayRssMb: processRssMb(stack.gateway.pid),
      baselineRssMb: processRssMb(stack.baseline.pid),
    };
  } finally {
    await stop?.();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fixed = (value: number, digits: number, width: number) =>
  value.toFixed(digits).padStart(width);

/** Prints the stack bench's table, its ratios and a PASS or FAIL line per check. */
export function printStackReport(report: StackBenchReport): void {
  const { options, data } = report;
  const lines = [
    `stack bench: ${data.users} users, ${data.suppliers} suppliers, ${data.orders} orders on ${report.database}; ` +
      `${options.rounds} round(s) of ${options.seconds} s per gateway, ${options.connections} connections`,
    '',
    'operation               gateway     req/s   p50 ms   p99 ms  gw CPU ms/req  subgraph CPU ms/req  SQL/req',
  ];
  for (const op of report.operations) {
    for (const [label, figures] of [
      ['plain', op.baseline],
      ['fedstack', op.stack],
    ] as const) {
      lines.push(
        `${op.name.padEnd(23)} ${label.padEnd(9)} ${fixed(figures.rps, 0, 8)} ${fixed(figures.p50Ms, 1, 8)} ${fixed(figures.p99Ms, 1, 8)} ${fixed(figures.gatewayCpuMs, 2, 14)} ${fixed(figures.subgraphCpuMs, 2, 20)} ${label === 'fedstack' ? fixed(op.statements, 2, 8) : ''.padStart(8)}`,
      );
    }
    const by = Object.entries(op.statementsBySubgraph)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ');
    lines.push(
      `${''.padEnd(23)} ratio ${op.ratio.toFixed(2)}x (worst round ${op.worstRoundRatio.toFixed(2)}x); SQL: ${by}`,
    );
  }
  lines.push(
    '',
    `RSS: fedstack gateway ${report.gatewayRssMb.toFixed(0)} MB, plain ${report.baselineRssMb.toFixed(0)} MB`,
  );
  for (const check of report.checks) {
    lines.push(`${check.ok ? 'PASS' : 'FAIL'}  ${check.claim}: ${check.detail}`);
  }
  console.log(lines.join('\n'));
}

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type GatewayKey } from './bench/neutral/neutralGateways';
import { printNeutralReport } from './bench/neutral/printNeutralReport';
import { runNeutralBench, SHAPES, type NeutralBenchReport } from './bench/neutral/runNeutralBench';
import { printStackReport, runStackBench, type StackBenchReport } from './bench/stack';

/**
 * `npm run bench [-- neutral|stack]`: the neutral bench (four in-memory subgraphs; plain
 * `@apollo/gateway`, Hive Gateway, Hive Gateway on router-runtime and this gateway), then the stack
 * bench (the real subgraphs and SQLite, this gateway against a plain `@apollo/gateway`). Prints the
 * tables and the targets; exits 1 only when an answer was wrong or failed, or the bench crashed.
 *
 * BENCH_ROUNDS (3), BENCH_SECONDS (10), BENCH_CONNECTIONS (50), BENCH_WARMUP_SECONDS (3),
 * BENCH_GATEWAYS (apollo,hive,hive-router,fedstack), BENCH_QUERIES (deep,heavy), BENCH_SHAPES
 * (repeated,distinct), BENCH_GATEWAY_CPU_PROF (a folder for a CPU profile of this gateway) and BENCH_JSON
 * (unset: no file; else the path the results are written to as JSON).
 */
const root = resolve(__dirname, '..');
const GATEWAYS: GatewayKey[] = ['apollo', 'hive', 'hive-router', 'fedstack'];
const QUERIES = ['deep', 'heavy'] as const;
const PARTS = ['neutral', 'stack'] as const;

function integer(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function list<T extends string>(name: string, allowed: readonly T[]): T[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return [...allowed];
  const values = raw.split(',').map((value) => value.trim());
  const wrong = values.find((value) => !allowed.includes(value as T));
  if (wrong !== undefined) {
    throw new Error(`${name} must be a comma list of ${allowed.join(', ')}, got "${wrong}"`);
  }
  return values as T[];
}

async function main(): Promise<void> {
  const part = process.argv[2];
  if (part !== undefined && !PARTS.includes(part as (typeof PARTS)[number])) {
    throw new Error(`the part to run must be neutral or stack, got "${part}"`);
  }
  const rounds = integer('BENCH_ROUNDS', 3, 1, 100);
  const seconds = integer('BENCH_SECONDS', 10, 1, 3600);
  const connections = integer('BENCH_CONNECTIONS', 50, 1, 1000);
  const warmupSeconds = integer('BENCH_WARMUP_SECONDS', 3, 0, 600);
  const gateways = list('BENCH_GATEWAYS', GATEWAYS);
  const queries = list('BENCH_QUERIES', QUERIES);
  const shapes = list('BENCH_SHAPES', SHAPES);
  const jsonFile = process.env.BENCH_JSON;

  let failures = 0;
  const results: { neutral?: NeutralBenchReport; stack?: StackBenchReport } = {};
  if (part === undefined || part === 'neutral') {
    const report = await runNeutralBench(root, {
      rounds,
      seconds,
      warmupSeconds,
      connections,
      gateways,
      queries,
      shapes,
    });
    printNeutralReport(report);
    failures += report.failures;
    results.neutral = report;
  }
  if (part === undefined || part === 'stack') {
    console.log('\nStack bench');
    const report = await runStackBench({ seconds, rounds, connections });
    printStackReport(report);
    failures += report.operations.reduce(
      (sum, operation) => sum + operation.stack.failures + operation.baseline.failures,
      0,
    );
    results.stack = report;
  }
  if (jsonFile) {
    writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nresults written to ${jsonFile}`);
  }
  if (failures > 0) {
    console.error(`\nbench failed: ${failures} wrong or failed answers`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});

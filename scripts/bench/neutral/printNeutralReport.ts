import type { GatewayKey } from './neutralGateways';
import type { LoadResult } from './runNeutralLoad';
import type { NeutralBenchReport } from './runNeutralBench';

/** A gateway's rounds of one scenario in one row: mean req/s, p50 and CPU; worst p99; peak RSS. */
export type RunSummary = Pick<
  LoadResult,
  | 'requestsPerSecond'
  | 'p50Ms'
  | 'p99Ms'
  | 'cpuMsPerRequest'
  | 'subgraphCpuMsPerRequest'
  | 'loadCpuMsPerRequest'
  | 'peakRssMb'
>;

export function summariseRuns(runs: LoadResult[]): RunSummary {
  const mean = (pick: (run: LoadResult) => number) =>
    runs.reduce((sum, run) => sum + pick(run), 0) / runs.length;
  return {
    requestsPerSecond: mean((run) => run.requestsPerSecond),
    p50Ms: mean((run) => run.p50Ms),
    p99Ms: Math.max(...runs.map((run) => run.p99Ms)),
    cpuMsPerRequest: mean((run) => run.cpuMsPerRequest),
    subgraphCpuMsPerRequest: mean((run) => run.subgraphCpuMsPerRequest),
    loadCpuMsPerRequest: mean((run) => run.loadCpuMsPerRequest),
    peakRssMb: Math.max(...runs.map((run) => run.peakRssMb)),
  };
}

const cell = (value: number, digits: number, width: number) =>
  (Number.isFinite(value) ? value.toFixed(digits) : '-').padStart(width);

/** Prints one table per query and load shape, then the targets with PASS/FAIL. */
export function printNeutralReport(
  report: NeutralBenchReport,
  print: (line: string) => void = console.log,
): void {
  const c = report.conditions;
  print('');
  print(
    `Neutral bench: ${c.rounds} round(s) of ${c.seconds} s per gateway and scenario, ${c.connections} connections, ` +
      `${c.warmupSeconds} s warm-up, ${c.cpus} CPUs, Node ${c.node}; answers ${Object.entries(
        c.answerBytes,
      )
        .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(1)} KB`)
        .join(', ')}`,
  );
  print('req/s, p50 and CPU are means over rounds; p99 the worst round; RSS the peak.');
  print(
    'CPU ms/req: the gateway; subgraphs: the four subgraph processes; load: the load generator. ' +
      `With ${c.cpus} CPUs shared, req/s can be at most ${c.cpus * 1000} / (the three added up).`,
  );
  for (const scenario of report.scenarios) {
    print('');
    print(`${scenario.query} query, ${scenario.shape} requests`);
    print(
      `${'gateway'.padEnd(30)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}` +
        `${'CPU ms/req'.padStart(12)}${'subgraphs'.padStart(11)}${'load'.padStart(7)}` +
        `${'RSS MB'.padStart(9)}${'vs Apollo'.padStart(11)}${'vs Hive RR'.padStart(12)}`,
    );
    const summaries = new Map<GatewayKey, RunSummary>(
      scenario.gateways
        .filter((gateway) => gateway.rounds.length > 0)
        .map((gateway) => [gateway.key, summariseRuns(gateway.rounds)]),
    );
    const apollo = summaries.get('apollo')?.requestsPerSecond ?? NaN;
    const hiveRouter = summaries.get('hive-router')?.requestsPerSecond ?? NaN;
    for (const gateway of scenario.gateways) {
      const row = summaries.get(gateway.key);
      if (!row) continue;
      print(
        `${gateway.label.padEnd(30)}${cell(row.requestsPerSecond, 0, 9)}${cell(row.p50Ms, 1, 9)}` +
          `${cell(row.p99Ms, 1, 9)}${cell(row.cpuMsPerRequest, 3, 12)}` +
          `${cell(row.subgraphCpuMsPerRequest, 3, 11)}${cell(row.loadCpuMsPerRequest, 3, 7)}${cell(row.peakRssMb, 0, 9)}` +
          `${cell(row.requestsPerSecond / apollo, 2, 10)}x${cell(row.requestsPerSecond / hiveRouter, 2, 11)}x`,
      );
    }
  }
  if (report.floor.length > 0) {
    const floor = summariseRuns(report.floor);
    print('');
    print(
      `Transport floor, deep query, distinct requests (the plan's four subgraph requests and one answer, ` +
        `nothing else): ${floor.requestsPerSecond.toFixed(0)} req/s, ${floor.cpuMsPerRequest.toFixed(3)} ms CPU/req ` +
        `(per round ${report.floor.map((run) => run.cpuMsPerRequest.toFixed(3)).join(', ')})`,
    );
  }
  print('');
  print('Targets (this gateway):');
  for (const check of report.targets) {
    print(`  ${check.status.padEnd(5)} ${check.target}: ${check.detail}`);
  }
  print('');
  if (report.failures > 0) {
    print(`${report.failures} wrong or failed answers:`);
    for (const message of report.failureMessages) print(`  ${message}`);
  } else {
    print('Every answer matched the expected result.');
  }
}

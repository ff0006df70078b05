import { printStackReport, runStackBench } from './index';

/**
 * Runs the stack bench alone: BENCH_SECONDS (default 10) per round, BENCH_ROUNDS (default 2),
 * BENCH_CONNECTIONS (default 50); BENCH_ONLY a comma list of operation names (their first words) to
 * run; BENCH_SUBGRAPH_CPU_PROF a folder for CPU profiles of the subgraphs. Exits 1 when a check
 * fails.
 */
async function main(): Promise<void> {
  const report = await runStackBench({
    seconds: Number(process.env.BENCH_SECONDS ?? 10),
    rounds: Number(process.env.BENCH_ROUNDS ?? 2),
    connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
    ...(process.env.BENCH_ONLY ? { only: process.env.BENCH_ONLY.split(',') } : {}),
    ...(process.env.BENCH_SUBGRAPH_CPU_PROF
      ? {
          subgraphNodeFlags: [
            '--cpu-prof',
            `--cpu-prof-dir=${process.env.BENCH_SUBGRAPH_CPU_PROF}`,
          ],
        }
      : {}),
  });
  printStackReport(report);
  if (!report.passed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`stack bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});

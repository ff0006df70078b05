import { printStackReport, runStackBench } from './index';

/**
 * Runs the stack bench alone: BENCH_SECONDS (default 10) per round, BENCH_ROUNDS (default 2),
 * BENCH_CONNECTIONS (default 50). Exits 1 when a check fails.
 */
async function main(): Promise<void> {
  const report = await runStackBench({
    seconds: Number(process.env.BENCH_SECONDS ?? 10),
    rounds: Number(process.env.BENCH_ROUNDS ?? 2),
    connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  });
  printStackReport(report);
  if (!report.passed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`stack bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});

import type { GatewayKey } from './neutralGateways';
import type { GatewayRuns, ScenarioReport } from './runNeutralBench';

/** One target of the performance issue, checked against a run. */
export interface TargetCheck {
  target: string;
  /** `n/a` when a gateway it compares with did not run. */
  status: 'PASS' | 'FAIL' | 'n/a';
  detail: string;
}

/** The targets, as numbers (see README, Benchmark). */
export const NEUTRAL_TARGETS = {
  /** This gateway's req/s over plain `@apollo/gateway`'s, in every round. */
  minRatioToApollo: 4,
  /** This gateway's req/s over Hive Gateway on router-runtime's, in every round. */
  minRatioToHiveRouter: 1,
  /** Gateway CPU per request on the deep query with distinct requests. */
  maxDeepDistinctCpuMs: 0.4,
  maxP99Ms: 100,
  maxPeakRssMb: 300,
  /** "Flat": the last round's resident memory at most this much above the first round's. */
  maxRssGrowth: 0.15,
};

function runsOf(scenario: ScenarioReport, key: GatewayKey): GatewayRuns | undefined {
  return scenario.gateways.find((gateway) => gateway.key === key);
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function ratioCheck(
  scenario: ScenarioReport,
  other: GatewayKey,
  minimum: number,
  target: string,
): TargetCheck {
  const ours = runsOf(scenario, 'fedstack');
  const theirs = runsOf(scenario, other);
  if (!ours || !theirs || ours.rounds.length === 0) {
    return { target, status: 'n/a', detail: 'not run' };
  }
  const ratios = ours.rounds.map(
    (run, round) => run.requestsPerSecond / (theirs.rounds[round]?.requestsPerSecond ?? NaN),
  );
  return {
    target,
    status: ratios.every((ratio) => ratio >= minimum) ? 'PASS' : 'FAIL',
    detail: `per round ${ratios.map((ratio) => `${fixed(ratio)}x`).join(', ')}`,
  };
}

/**
 * Checks this gateway's runs against `NEUTRAL_TARGETS`, every round counted. `connections` is the
 * load's concurrency: by Little's law, `connections / (req/s)` is the mean latency a closed-loop
 * load must see, so the p99 check names each scenario's worst p99 next to that mean.
 */
export function checkNeutralTargets(
  scenarios: ScenarioReport[],
  connections: number,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const scenario of scenarios) {
    const name = `${scenario.query} ${scenario.shape}`;
    checks.push(
      ratioCheck(
        scenario,
        'hive-router',
        NEUTRAL_TARGETS.minRatioToHiveRouter,
        `${name}: req/s >= Hive Gateway + router-runtime, every round`,
      ),
      ratioCheck(
        scenario,
        'apollo',
        NEUTRAL_TARGETS.minRatioToApollo,
        `${name}: req/s >= ${NEUTRAL_TARGETS.minRatioToApollo}x plain @apollo/gateway, every round`,
      ),
    );
  }
  const ours = scenarios.flatMap((scenario) => {
    const runs = runsOf(scenario, 'fedstack');
    return runs ? [{ scenario, runs: runs.rounds }] : [];
  });
  if (ours.length === 0) {
    checks.push({ target: 'this gateway', status: 'n/a', detail: 'not run' });
    return checks;
  }
  const deepDistinct = ours.find(
    ({ scenario }) => scenario.query === 'deep' && scenario.shape === 'distinct',
  );
  const cpuTarget = `deep distinct: CPU <= ${NEUTRAL_TARGETS.maxDeepDistinctCpuMs} ms/request, every round`;
  checks.push(
    deepDistinct
      ? {
          target: cpuTarget,
          status: deepDistinct.runs.every(
            (run) => run.cpuMsPerRequest <= NEUTRAL_TARGETS.maxDeepDistinctCpuMs,
          )
            ? 'PASS'
            : 'FAIL',
          detail: `per round ${deepDistinct.runs.map((run) => fixed(run.cpuMsPerRequest, 3)).join(', ')} ms`,
        }
      : { target: cpuTarget, status: 'n/a', detail: 'not run' },
  );
  const all = ours.flatMap(({ runs }) => runs);
  const worstP99 = Math.max(...all.map((run) => run.p99Ms));
  const perScenario = ours.map(({ scenario, runs }) => {
    const slowest = Math.min(...runs.map((run) => run.requestsPerSecond));
    const mean = (connections / slowest) * 1000;
    return `${scenario.query} ${scenario.shape} ${fixed(Math.max(...runs.map((run) => run.p99Ms)), 0)} ms (mean at ${fixed(slowest, 0)} req/s: ${fixed(mean, 0)} ms)`;
  });
  checks.push({
    target: `p99 <= ${NEUTRAL_TARGETS.maxP99Ms} ms, every scenario and round`,
    status: worstP99 <= NEUTRAL_TARGETS.maxP99Ms ? 'PASS' : 'FAIL',
    detail: `worst ${worstP99} ms; ${perScenario.join('; ')}`,
  });
  const peak = Math.max(...all.map((run) => run.peakRssMb));
  checks.push({
    target: `peak RSS <= ${NEUTRAL_TARGETS.maxPeakRssMb} MB`,
    status: peak <= NEUTRAL_TARGETS.maxPeakRssMb ? 'PASS' : 'FAIL',
    detail: `peak ${fixed(peak, 0)} MB`,
  });
  const rounds = Math.max(...ours.map(({ runs }) => runs.length));
  const rssByRound = Array.from({ length: rounds }, (_, round) =>
    Math.max(...ours.map(({ runs }) => runs[round]?.rssMb ?? 0)),
  );
  const first = rssByRound[0] ?? 0;
  const last = rssByRound[rssByRound.length - 1] ?? 0;
  checks.push({
    target: `RSS flat across rounds (last <= first + ${NEUTRAL_TARGETS.maxRssGrowth * 100}%)`,
    status: last <= first * (1 + NEUTRAL_TARGETS.maxRssGrowth) ? 'PASS' : 'FAIL',
    detail: `per round ${rssByRound.map((rss) => fixed(rss, 0)).join(', ')} MB`,
  });
  return checks;
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeNeutralSupergraph } from './composeNeutralSupergraph';
import {
  GATEWAY_LABELS,
  startNeutralGateway,
  type GatewayKey,
  type RunningGateway,
} from './neutralGateways';
import { NEUTRAL_QUERIES, type NeutralQuery } from './neutralQueries';
import { checkNeutralTargets, type TargetCheck } from './checkNeutralTargets';
import {
  runNeutralLoad,
  type LoadResult,
  type LoadShape,
  type OffsetCounter,
} from './runNeutralLoad';
import { startNeutralSubgraphs } from './startNeutralSubgraphs';
import { startTransportFloor, type RunningFloor } from './startTransportFloor';

/** How the neutral bench runs; `npm run bench` reads these from BENCH_* variables. */
export interface NeutralBenchOptions {
  /** Measured rounds; every gateway runs every scenario once per round (default 3). */
  rounds: number;
  /** Seconds per measured run (default 10). */
  seconds: number;
  /** Seconds of warm-up per gateway and query before the first round (default 3). */
  warmupSeconds: number;
  /** Concurrent keep-alive connections of the load generator (default 50). */
  connections: number;
  /** Which gateways run (default all four). */
  gateways: GatewayKey[];
  /** Which load shapes run (default both). */
  shapes?: LoadShape[];
  /** Which queries run (default both). */
  queries?: Array<NeutralQuery['name']>;
  /**
   * Whether to measure the transport floor (`transportFloorMain.ts`) on the deep query with
   * distinct requests in every round (default true when the deep query runs).
   */
  floor?: boolean;
  /** Progress lines (default `console.log`). */
  log?: (line: string) => void;
}

/** One gateway's runs of one scenario, one entry per round. */
export interface GatewayRuns {
  key: GatewayKey;
  label: string;
  rounds: LoadResult[];
}

/** A query in one load shape, run by every gateway. */
export interface ScenarioReport {
  query: NeutralQuery['name'];
  shape: LoadShape;
  gateways: GatewayRuns[];
}

export interface NeutralBenchReport {
  conditions: {
    rounds: number;
    seconds: number;
    warmupSeconds: number;
    connections: number;
    cpus: number;
    node: string;
    /** Answer sizes in bytes, at offset 0. */
    answerBytes: Record<string, number>;
  };
  scenarios: ScenarioReport[];
  /** The transport floor's runs of the deep query with distinct requests, one per round. */
  floor: LoadResult[];
  targets: TargetCheck[];
  /** Wrong or failed answers over the whole run, warm-up and checks included. */
  failures: number;
  failureMessages: string[];
}

export const SHAPES: LoadShape[] = ['repeated', 'distinct'];

/**
 * The neutral bench: four in-memory subgraphs, the supergraph composed at start, each gateway in
 * its own process, then the deep and the heavy query in both load shapes, gateways alternating
 * within every round. Every answer is checked; the report counts failures rather than throwing,
 * so that the caller prints what was measured before failing.
 */
export async function runNeutralBench(
  root: string,
  options: NeutralBenchOptions,
): Promise<NeutralBenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const queries = NEUTRAL_QUERIES.filter(
    (query) => !options.queries || options.queries.includes(query.name),
  );
  const workDir = mkdtempSync(join(tmpdir(), 'fedstack-neutral-bench-'));
  const failureMessages: string[] = [];
  let failures = 0;
  const record = (label: string, result: LoadResult) => {
    failures += result.failures;
    if (result.firstFailure && failureMessages.length < 20) {
      failureMessages.push(`${label}: ${result.failures} failed; first: ${result.firstFailure}`);
    }
  };
  const gateways: RunningGateway[] = [];
  let floorProcess: RunningFloor | undefined;
  const subgraphs = await startNeutralSubgraphs(root).catch((error: unknown) => {
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  });
  try {
    const supergraphFile = join(workDir, 'supergraph.graphql');
    writeFileSync(supergraphFile, composeNeutralSupergraph(subgraphs.urls));
    for (const key of options.gateways) {
      log(`starting ${GATEWAY_LABELS[key]}`);
      gateways.push(await startNeutralGateway(key, { root, supergraphFile, workDir }));
    }
    const deepQuery = queries.find((query) => query.name === 'deep');
    if (deepQuery && (options.floor ?? true)) {
      log('starting the transport floor');
      floorProcess = await startTransportFloor(root, subgraphs.urls);
    }
    const floor: LoadResult[] = [];
    const counters = new Map<string, OffsetCounter>();
    interface Target {
      key: string;
      url: string;
      process: RunningGateway['process'];
    }
    const counterOf = (gateway: Target, query: NeutralQuery) => {
      const key = `${gateway.key}/${query.name}`;
      let counter = counters.get(key);
      if (!counter) counters.set(key, (counter = { next: 1 }));
      return counter;
    };
    const run = (gateway: Target, query: NeutralQuery, shape: LoadShape, seconds: number) =>
      runNeutralLoad({
        url: gateway.url,
        pid: gateway.process.pid,
        query,
        shape,
        connections: options.connections,
        seconds,
        counter: counterOf(gateway, query),
        subgraphPids: subgraphs.processes.map((child) => child.pid),
      });

    if (options.warmupSeconds > 0) {
      for (const gateway of gateways) {
        for (const query of queries) {
          log(`warm-up: ${gateway.label}, ${query.name} (${options.warmupSeconds} s)`);
          record(
            `warm-up ${gateway.label} ${query.name}`,
            await run(gateway, query, 'distinct', options.warmupSeconds),
          );
        }
      }
      if (floorProcess && deepQuery) {
        log(`warm-up: the transport floor, deep (${options.warmupSeconds} s)`);
        record(
          'warm-up transport floor deep',
          await run(floorProcess, deepQuery, 'distinct', options.warmupSeconds),
        );
      }
    }

    const scenarios: ScenarioReport[] = queries.flatMap((query) =>
      (options.shapes ?? SHAPES).map((shape) => ({
        query: query.name,
        shape,
        gateways: gateways.map((gateway) => ({
          key: gateway.key,
          label: gateway.label,
          rounds: [],
        })),
      })),
    );
    for (let round = 0; round < options.rounds; round += 1) {
      for (const scenario of scenarios) {
        const query = queries.find(
          (candidate) => candidate.name === scenario.query,
        ) as NeutralQuery;
        // Rotate who goes first, so that no gateway always runs right after the same neighbour.
        for (let i = 0; i < gateways.length; i += 1) {
          const index = (i + round) % gateways.length;
          const gateway = gateways[index] as RunningGateway;
          const result = await run(gateway, query, scenario.shape, options.seconds);
          record(`round ${round + 1} ${gateway.label} ${query.name} ${scenario.shape}`, result);
          scenario.gateways[index]?.rounds.push(result);
          log(
            `round ${round + 1}/${options.rounds} ${query.name} ${scenario.shape} ${gateway.label}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99Ms} ms, ${result.cpuMsPerRequest.toFixed(3)} ms CPU/req${result.failures ? `, ${result.failures} FAILED` : ''}`,
          );
        }
      }
      if (floorProcess && deepQuery) {
        const result = await run(floorProcess, deepQuery, 'distinct', options.seconds);
        record(`round ${round + 1} transport floor deep distinct`, result);
        floor.push(result);
        log(
          `round ${round + 1}/${options.rounds} deep distinct transport floor: ${result.requestsPerSecond.toFixed(0)} req/s, ${result.cpuMsPerRequest.toFixed(3)} ms CPU/req`,
        );
      }
    }
    return {
      conditions: {
        rounds: options.rounds,
        seconds: options.seconds,
        warmupSeconds: options.warmupSeconds,
        connections: options.connections,
        cpus: availableParallelism(),
        node: process.version,
        answerBytes: Object.fromEntries(
          queries.map((query) => [
            query.name,
            JSON.stringify({ data: query.expectedData(0) }).length,
          ]),
        ),
      },
      scenarios,
      floor,
      targets: checkNeutralTargets(scenarios, options.connections),
      failures,
      failureMessages,
    };
  } finally {
    for (const gateway of gateways) await gateway.process.stop();
    await floorProcess?.process.stop();
    for (const child of subgraphs.processes) await child.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

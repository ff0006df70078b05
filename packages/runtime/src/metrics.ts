import type { RequestHandler } from 'express';
import {
  collectDefaultMetrics,
  Counter,
  Histogram,
  Registry,
  type CounterConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

/**
 * The process's Prometheus registry. Every service is its own process, so one registry per process
 * is one per service; where tests run several services in one process, their metrics share it and
 * are told apart by the `service` label.
 */
export const metricsRegistry = new Registry();

let processMetricsCollected = false;

/** Starts collecting the default process metrics (CPU, memory, event loop lag, GC, handles) once. */
export function collectProcessMetrics(): void {
  if (processMetricsCollected) return;
  processMetricsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** Latency buckets in seconds, from 1 ms to 30 s. */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/**
 * A histogram in the process registry, created on first use: building a server twice in one
 * process (as tests do) must not register the same name twice.
 */
export function histogram<T extends string>(config: HistogramConfiguration<T>): Histogram<T> {
  const existing = metricsRegistry.getSingleMetric(config.name);
  if (existing) return existing as Histogram<T>;
  return new Histogram<T>({ buckets: LATENCY_BUCKETS, ...config, registers: [metricsRegistry] });
}

/** A counter in the process registry, created on first use. */
export function counter<T extends string>(config: CounterConfiguration<T>): Counter<T> {
  const existing = metricsRegistry.getSingleMetric(config.name);
  if (existing) return existing as Counter<T>;
  return new Counter<T>({ ...config, registers: [metricsRegistry] });
}

/** Express handler for `GET /metrics` in the Prometheus text format. */
export function metricsHandler(): RequestHandler {
  collectProcessMetrics();
  return async (_req, res) => {
    res.setHeader('content-type', metricsRegistry.contentType);
    res.setHeader('cache-control', 'no-store');
    res.send(await metricsRegistry.metrics());
  };
}

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;
/** The gateway names a subgraph's part of an operation `<name>__<subgraph>__<n>`. */
const SUBGRAPH_PART = /^([A-Za-z_][A-Za-z0-9_]*?)__[A-Za-z_][A-Za-z0-9_]*__\d+$/;
const MAX_FIRST_SEEN = 500;

/**
 * Which operation names metrics label by name. A list (the operations of the service's real
 * clients) fixes the label set: any other name is `other`, so clients cannot add label values
 * nor push real operations out. `'*'` labels the first 500 names seen, which a client can fill:
 * for development.
 */
export type OperationNames = '*' | readonly string[];

/**
 * Returns the function that turns an operation name chosen by a client into the `operation`
 * label: `anonymous` for an unnamed operation, `invalid` for anything that is not a plain GraphQL
 * name, the name itself when `names` allows it (a subgraph's part `<name>__<subgraph>__<n>`
 * counts as `<name>`), else `other`.
 */
export function operationLabeler(
  names: OperationNames,
): (name: string | null | undefined) => string {
  const firstSeen = new Set<string>();
  const allowed = new Set(names === '*' ? [] : names);
  return (name) => {
    if (name === undefined || name === null || name === '') return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'invalid';
    if (names !== '*') {
      if (allowed.has(name)) return name;
      const base = SUBGRAPH_PART.exec(name)?.[1];
      return base !== undefined && allowed.has(base) ? base : 'other';
    }
    if (firstSeen.has(name)) return name;
    if (firstSeen.size >= MAX_FIRST_SEEN) return 'other';
    firstSeen.add(name);
    return name;
  };
}

/** The kind of SQL statement, as a low-cardinality label: `select`, `insert`, ..., `other`. */
export function statementLabel(sql: string): string {
  // Sequelize prefixes logged statements with "Executing (<connection>): ".
  const statement = sql.replace(/^Execut(?:ing|ed) \([^)]*\):\s*/, '');
  const verb = /^\s*([A-Za-z]+)/.exec(statement)?.[1]?.toLowerCase();
  switch (verb) {
    case 'select':
    case 'insert':
    case 'update':
    case 'delete':
    case 'begin':
    case 'commit':
    case 'rollback':
    case 'pragma':
      return verb;
    case 'start':
      return 'begin';
    case 'with':
      return 'select';
    default:
      return 'other';
  }
}

import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import type { NeutralQuery } from './neutralQueries';
import { cpuMillisOf, memoryOf, waitUntilIdle } from './processStats';

/** `repeated`: one request sent again and again; `distinct`: different variables every time. */
export type LoadShape = 'repeated' | 'distinct';

/** One load run against one gateway. */
export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Gateway CPU (user + system, all threads) per answered request. */
  cpuMsPerRequest: number;
  /** The subgraphs' CPU (all four processes) per answered request. */
  subgraphCpuMsPerRequest: number;
  /** The load generator's CPU (this process) per answered request. */
  loadCpuMsPerRequest: number;
  /** The gateway's resident memory when the run ended, and its peak since it started. */
  rssMb: number;
  peakRssMb: number;
  /** Wrong answers, non-2xx statuses, connection errors and timeouts. */
  failures: number;
  /** The first failure, described, when there was one. */
  firstFailure?: string;
}

/** Where the distinct shape's `offset`s come from: a counter kept per gateway and query. */
export interface OffsetCounter {
  next: number;
}

interface Context {
  offset?: number;
}

/**
 * Sends `query` to `url` over `connections` keep-alive connections for `seconds` with autocannon,
 * checks every answer against `query.expectedData`, and reads the gateway's CPU time and memory
 * (process `pid`) before and after, then waits for the gateway to finish the answers still in
 * flight. In the distinct shape, request k asks for
 * `offset = k * first`, so consecutive requests ask for disjoint entities and none repeats until
 * the id space wraps.
 */
export async function runNeutralLoad(options: {
  url: string;
  pid: number;
  query: NeutralQuery;
  shape: LoadShape;
  connections: number;
  /** How long to send requests, or, with `amount`, how many requests to send. */
  seconds: number;
  amount?: number;
  counter: OffsetCounter;
  /** The subgraphs' processes, whose CPU is reported alongside the gateway's. */
  subgraphPids?: number[];
}): Promise<LoadResult> {
  const { query, shape, counter } = options;
  const bodyFor = (offset: number) =>
    JSON.stringify({
      query: query.query,
      variables: { first: query.first, offset },
    });
  const expectedFor = (offset: number) => JSON.stringify({ data: query.expectedData(offset) });
  const repeatedBody = bodyFor(0);
  const repeatedExpected = expectedFor(0);
  let failures = 0;
  let firstFailure: string | undefined;
  let checked = 0;

  const check = (status: number, body: string, offset: number | undefined) => {
    checked += 1;
    if (offset === undefined) {
      failures += 1;
      firstFailure ??= 'an answer arrived for no request the bench sent';
      return;
    }
    const expected = offset === 0 ? repeatedExpected : expectedFor(offset);
    // Apollo Server ends its JSON with a newline; other formatting differences are parsed away.
    if (
      status === 200 &&
      (body === expected || body === `${expected}\n` || sameJson(body, expected))
    ) {
      return;
    }
    failures += 1;
    firstFailure ??= `offset ${offset}: HTTP ${status}, ${firstDifference(body, expected)}`;
  };

  const subgraphCpu = () =>
    (options.subgraphPids ?? []).reduce((sum, pid) => sum + cpuMillisOf(pid), 0);
  const loadCpu = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  const cpuBefore = cpuMillisOf(options.pid);
  const subgraphCpuBefore = subgraphCpu();
  const loadCpuBefore = loadCpu();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount === undefined ? { duration: options.seconds } : { amount: options.amount }),
    pipelining: 1,
    // A slow answer is measured, not failed: only one this late counts as a timeout.
    timeout: 60,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: repeatedBody,
    requests: [
      {
        // The repeated shape sends one prebuilt request, as a load generator does.
        ...(shape === 'distinct'
          ? {
              setupRequest: (request: autocannon.Request, context: Context) => {
                const offset = (counter.next * query.first) % (query.maxOffset + 1);
                counter.next += 1;
                context.offset = offset;
                return { ...request, body: bodyFor(offset) };
              },
            }
          : {}),
        onResponse: (status, body, context: Context) =>
          check(status, body, shape === 'repeated' ? 0 : context.offset),
      },
    ],
  });
  const cpuAfter = cpuMillisOf(options.pid);
  const subgraphCpuAfter = subgraphCpu();
  const loadCpuAfter = loadCpu();
  const memory = memoryOf(options.pid);
  await waitUntilIdle(options.pid);

  // Non-2xx answers went through `check`; connection errors and timeouts never answered.
  if (result.errors > 0) {
    failures += result.errors;
    firstFailure ??= `${result.errors} connection errors (${result.timeouts} of them timeouts)`;
  }
  const requests = checked;
  return {
    requests,
    seconds: result.duration,
    requestsPerSecond: requests / result.duration,
    p50Ms: requests > 0 ? result.latency.p50 : Number.NaN,
    p99Ms: requests > 0 ? result.latency.p99 : Number.NaN,
    cpuMsPerRequest: requests > 0 ? (cpuAfter - cpuBefore) / requests : Number.NaN,
    subgraphCpuMsPerRequest:
      requests > 0 ? (subgraphCpuAfter - subgraphCpuBefore) / requests : Number.NaN,
    loadCpuMsPerRequest: requests > 0 ? (loadCpuAfter - loadCpuBefore) / requests : Number.NaN,
    rssMb: memory.rssMb,
    peakRssMb: memory.peakRssMb,
    failures,
    ...(firstFailure === undefined ? {} : { firstFailure }),
  };
}

function sameJson(body: string, expected: string): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(body), JSON.parse(expected));
  } catch {
    return false;
  }
}

/** Where `body` first departs from `expected`, with some context, for the failure message. */
function firstDifference(body: string, expected: string): string {
  let at = 0;
  while (at < body.length && body[at] === expected[at]) at += 1;
  const from = Math.max(0, at - 60);
  return `at character ${at}: got …${body.slice(from, at + 120)}… expected …${expected.slice(from, at + 120)}…`;
}

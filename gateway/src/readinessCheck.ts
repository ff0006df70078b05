import { randomUUID } from 'node:crypto';
import type { SigningFetcher } from '@fedstack/envelope/signingFetcher';
import type { SubgraphEndpoint } from './subgraphEndpoints';
import { failureReason } from './subgraphFailure';

export interface SubgraphState {
  status: 'up' | 'down';
  latencyMs: number;
  /** Why it is down, without its address. */
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  /** Set while the gateway drains for a shutdown: not ready whatever the subgraphs say. */
  draining?: boolean;
  subgraphs: Record<string, SubgraphState>;
}

const PROBE_BODY = JSON.stringify({ query: '{ __typename }' });

async function probe(fetcher: SigningFetcher, endpoint: SubgraphEndpoint): Promise<SubgraphState> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetcher({ audience: endpoint.name }, endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': `ready-${randomUUID()}`,
      },
      body: PROBE_BODY,
    });
    if (!response.ok)
      return { status: 'down', latencyMs: elapsed(), error: `HTTP ${response.status}` };
    const body = (await response.json()) as { data?: { __typename?: unknown } };
    if (typeof body.data?.__typename !== 'string') {
      return { status: 'down', latencyMs: elapsed(), error: 'unexpected answer' };
    }
    return { status: 'up', latencyMs: elapsed() };
  } catch (error) {
    return { status: 'down', latencyMs: elapsed(), error: failureReason(error) };
  }
}

/**
 * Returns a check that sends every subgraph a signed `{ __typename }` POST through `fetcher`
 * (which carries the deadline) and reports each one's state. Calls made while a check is
 * running share its result, so polling the endpoint cannot multiply load on the subgraphs.
 */
export function createReadinessCheck(
  endpoints: () => readonly SubgraphEndpoint[],
  fetcher: SigningFetcher,
): () => Promise<ReadinessReport> {
  let running: Promise<ReadinessReport> | undefined;
  const run = async (): Promise<ReadinessReport> => {
    const list = endpoints();
    const states = await Promise.all(list.map((endpoint) => probe(fetcher, endpoint)));
    const subgraphs: Record<string, SubgraphState> = {};
    list.forEach((endpoint, index) => {
      subgraphs[endpoint.name] = states[index] ?? { status: 'down', latencyMs: 0 };
    });
    return { ready: states.every((state) => state.status === 'up'), subgraphs };
  };
  return () => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
}

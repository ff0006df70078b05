import { counter, histogram } from '@fedstack/runtime/metrics';

/** Time of each subgraph request the gateway sends, by subgraph and outcome (`success`, `error`). */
export const subgraphFetchDuration = histogram({
  name: 'gateway_subgraph_fetch_duration_seconds',
  help: 'Time of each request from the gateway to a subgraph, by subgraph and outcome',
  labelNames: ['subgraph', 'outcome'] as const,
});

/** Failed subgraph requests, by subgraph and reason (`timed out after 10000 ms`, `connection refused`, ...). */
export const subgraphFetchErrors = counter({
  name: 'gateway_subgraph_fetch_errors_total',
  help: 'Failed requests from the gateway to a subgraph, by subgraph and reason',
  labelNames: ['subgraph', 'reason'] as const,
});

/** Subgraph queries sent again after a connection failure. */
export const subgraphRetries = counter({
  name: 'gateway_subgraph_retries_total',
  help: 'Subgraph queries the gateway sent again after a connection failure',
  labelNames: ['subgraph'] as const,
});

/** Subgraph queries answered from an identical query of the same caller already in flight. */
export const subgraphFetchesShared = counter({
  name: 'gateway_subgraph_fetches_shared_total',
  help: 'Subgraph queries answered from an identical in-flight query of the same caller instead of being sent',
  labelNames: ['subgraph'] as const,
});

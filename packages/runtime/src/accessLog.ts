import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Logger } from './logger';
import { counter, histogram, operationLabeler, type OperationNames } from './metrics';

const requestsTotal = counter({
  name: 'graphql_requests_total',
  help: 'GraphQL requests answered, by service, operation name and outcome',
  labelNames: ['service', 'operation', 'outcome'] as const,
});
const requestDuration = histogram({
  name: 'graphql_request_duration_seconds',
  help: 'Time to answer a GraphQL request, by service, operation name and outcome',
  labelNames: ['service', 'operation', 'outcome'] as const,
});

/**
 * How a request ended: `success` (no errors), `partial` (data and errors, e.g. one subgraph
 * down), `error` (no data, or an HTTP error status).
 */
export type Outcome = 'success' | 'partial' | 'error';

/** What the access log and the metrics record about one request, filled in as it runs. */
export interface Observed {
  operationName?: string | null;
  outcome?: Outcome;
}

/**
 * Where a context carries its request's `Observed` record. A symbol key, because Apollo Server
 * hands plugins a shallow copy of the context, which keeps own symbol properties.
 */
const OBSERVED = Symbol('observed');

/**
 * Links a GraphQL context to its request's observation (see `requestObserver`), so the plugin can
 * report to the access log.
 */
export function observeContext<T extends object>(context: T, observation: RequestObservation): T {
  (context as Record<symbol, unknown>)[OBSERVED] = observation.observed;
  return context;
}

/** Apollo Server plugin that reports each operation's name and outcome to the access log. */
export function observingPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const observed = (contextValue as Record<symbol, Observed | undefined>)[OBSERVED];
      if (!observed) return;
      return {
        async didResolveOperation({ operationName }) {
          observed.operationName = operationName;
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          observed.outcome = !errors?.length ? 'success' : data ? 'partial' : 'error';
        },
      };
    },
  };
}

/** One request under observation. */
export interface RequestObservation {
  /** Filled in by `observingPlugin` once `observeContext` links it to the GraphQL context. */
  readonly observed: Observed;
  /** Writes the access-log line and the metrics sample, with the response's HTTP status. */
  finished(status: number): void;
}

/**
 * The access log of a GraphQL route: returns the function that starts observing one request by
 * its id. Call `finished(status)` once the response is sent: it writes one JSON access-log line
 * and one metrics sample: `requestId`, `operationName`, `status`, `outcome`, `durationMs`. The
 * log keeps every operation name; the metrics label only those `operations` allows (default
 * `'*'`, see `OperationNames`).
 */
export function requestObserver(options: {
  service: string;
  logger: Logger;
  operations?: OperationNames;
}): (requestId: string) => RequestObservation {
  const { service, logger } = options;
  const operationLabel = operationLabeler(options.operations ?? '*');
  return (requestId) => {
    const started = performance.now();
    const observed: Observed = {};
    return {
      observed,
      finished(status) {
        const durationMs = performance.now() - started;
        const outcome: Outcome = status >= 400 ? 'error' : (observed.outcome ?? 'error');
        const labels = { service, operation: operationLabel(observed.operationName), outcome };
        requestDuration.observe(labels, durationMs / 1000);
        requestsTotal.inc(labels);
        logger.info(
          {
            requestId,
            operationName: observed.operationName ?? null,
            status,
            outcome,
            durationMs: Math.round(durationMs * 10) / 10,
          },
          'request completed',
        );
      },
    };
  };
}

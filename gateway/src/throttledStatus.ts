import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ErrorCode } from '@fedstack/runtime/errors';

/**
 * Answers HTTP 429, with a `Retry-After` header, when a request was refused as a whole because
 * it was throttled: no data, and every error is `TOO_MANY_REQUESTS` (e.g. a locked-out `login`).
 * The subgraph that throttles answers 200 with the error, as the gateway would otherwise turn a
 * non-2xx answer into a generic subgraph failure; the gateway sees the whole response and sets
 * the status. `Retry-After` is the largest `extensions.retryAfter` of those errors.
 */
export function throttledStatus<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (data != null || !errors || errors.length === 0) return;
          if (!errors.every((error) => error.extensions?.code === ErrorCode.TOO_MANY_REQUESTS))
            return;
          const retryAfter = Math.max(
            1,
            ...errors.map((error) => {
              const seconds = error.extensions?.retryAfter;
              return typeof seconds === 'number' && Number.isFinite(seconds) ? seconds : 1;
            }),
          );
          response.http.status = 429;
          response.http.headers.set('retry-after', String(Math.ceil(retryAfter)));
        },
      };
    },
  };
}

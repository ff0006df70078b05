import type { Answer } from './types';

type AnswerError = NonNullable<Answer['body']['errors']>[number];

/** What a failed subgraph request reads as once normalised, from either gateway. */
export const SUBGRAPH_REQUEST_FAILED = '<subgraph request failed>';

/**
 * Stock @apollo/gateway's error for a subgraph request that failed as a whole: the fetch
 * library's message, naming the subgraph's URL, with Apollo Server's default code.
 */
function isStockRequestFailure(error: AnswerError): boolean {
  return (
    /^request to \S+ failed, reason: /.test(error.message) &&
    error.extensions?.code === 'INTERNAL_SERVER_ERROR' &&
    error.extensions.serviceName === undefined
  );
}

/** fedstack's error for the same failure (gateway/src/subgraphFailure.ts). */
function isFedstackRequestFailure(error: AnswerError): boolean {
  return (
    /^Subgraph "[^"]+" failed: /.test(error.message) &&
    error.extensions?.code === 'SUBREQUEST_HTTP_ERROR' &&
    typeof error.extensions.serviceName === 'string'
  );
}

/**
 * The subgraphs named by the failed-request errors of a fedstack answer (`extensions.serviceName`),
 * so that a test can check they are the ones that were down.
 */
export function failedSubgraphsOf(answer: Answer): string[] {
  return (answer.body.errors ?? [])
    .filter(isFedstackRequestFailure)
    .map((error) => error.extensions?.serviceName as string);
}

/**
 * An answer with only what differs by design replaced by a fixed marker, so that answers compare
 * with `toEqual`: the error for a subgraph request that failed as a whole (down, refused, reset).
 * Stock @apollo/gateway words it as its fetch library does (`request to <url> failed, reason:
 * connect ECONNREFUSED <address>`, or `socket hang up` on a reused connection) with code
 * `INTERNAL_SERVER_ERROR`; fedstack never shows a client a subgraph's address and says `Subgraph
 * "<name>" failed: connection refused` with code `SUBREQUEST_HTTP_ERROR` and the subgraph's
 * `serviceName`. The message and extensions of such an error become `SUBGRAPH_REQUEST_FAILED`;
 * its place among the errors, its `path` and everything else in the answer still compare.
 */
export function normaliseAnswer(answer: Answer): Answer {
  if (!answer.body.errors) return answer;
  return {
    status: answer.status,
    body: {
      ...answer.body,
      errors: answer.body.errors.map((error) =>
        isStockRequestFailure(error) || isFedstackRequestFailure(error)
          ? {
              ...error,
              message: SUBGRAPH_REQUEST_FAILED,
              extensions: { code: SUBGRAPH_REQUEST_FAILED },
            }
          : error,
      ),
    },
  };
}

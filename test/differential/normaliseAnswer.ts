import type { Answer } from './types';

type AnswerError = NonNullable<Answer['body']['errors']>[number];

/** What a failed subgraph request reads as once normalised, from either gateway. */
export const SUBGRAPH_REQUEST_FAILED = '<subgraph request failed>';

/**
 * Stock @apollo/gateway's error for a subgraph request that failed as a whole, with the HTTP
 * status the subgraph answered, if any; undefined for any other error. A connection failure is the
 * fetch library's message naming the subgraph's URL; a non-2xx answer is `<status>: <status text>`
 * with the URL, status and body in `extensions.response`. Both have Apollo Server's default code.
 */
function stockRequestFailure(error: AnswerError): { status?: number } | undefined {
  if (error.extensions?.code !== 'INTERNAL_SERVER_ERROR') return undefined;
  if (error.extensions.serviceName !== undefined) return undefined;
  if (/^request to \S+ failed, reason: /.test(error.message)) return {};
  const status = (error.extensions.response as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number' && error.message.startsWith(`${status}: `)) return { status };
  return undefined;
}

/** fedstack's error for the same failures (gateway/src/subgraphFailure.ts). */
function fedstackRequestFailure(error: AnswerError): { status?: number } | undefined {
  const match = /^Subgraph "[^"]+" failed: (?:answered HTTP (\d{3})$)?/.exec(error.message);
  if (!match) return undefined;
  if (error.extensions?.code !== 'SUBREQUEST_HTTP_ERROR') return undefined;
  if (typeof error.extensions.serviceName !== 'string') return undefined;
  return match[1] === undefined ? {} : { status: Number(match[1]) };
}

/**
 * The subgraphs named by the failed-request errors of a fedstack answer (`extensions.serviceName`),
 * so that a test can check they are the ones that were down.
 */
export function failedSubgraphsOf(answer: Answer): string[] {
  return (answer.body.errors ?? [])
    .filter((error) => fedstackRequestFailure(error) !== undefined)
    .map((error) => error.extensions?.serviceName as string);
}

/**
 * An answer with only what differs by design replaced by a fixed marker, so that answers compare
 * with `toEqual`: the error for a subgraph request that failed as a whole (down, refused, reset,
 * or a non-2xx answer). Stock @apollo/gateway words it as its fetch library does (`request to
 * <url> failed, reason: connect ECONNREFUSED <address>`, or `socket hang up` on a reused
 * connection; `503: Service Unavailable` with the URL and the subgraph's body in
 * `extensions.response`) with code `INTERNAL_SERVER_ERROR`; fedstack never shows a client a
 * subgraph's address or body and says `Subgraph "<name>" failed: connection refused` (or
 * `answered HTTP 503`) with code `SUBREQUEST_HTTP_ERROR` and the subgraph's `serviceName`. Such
 * an error becomes `SUBGRAPH_REQUEST_FAILED` with the HTTP status when there was one; its place
 * among the errors, its `path` and everything else in the answer still compare.
 */
export function normaliseAnswer(answer: Answer): Answer {
  if (!answer.body.errors) return answer;
  return {
    status: answer.status,
    body: {
      ...answer.body,
      errors: answer.body.errors.map((error) => {
        const failure = stockRequestFailure(error) ?? fedstackRequestFailure(error);
        if (!failure) return error;
        return {
          ...error,
          message: SUBGRAPH_REQUEST_FAILED,
          extensions: { code: SUBGRAPH_REQUEST_FAILED, ...failure },
        };
      }),
    },
  };
}

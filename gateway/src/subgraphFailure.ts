import { GraphQLError } from 'graphql';
import { SubgraphLimitError, SubgraphTimeoutError } from './subgraphFetcher';

/** `extensions.code` of an error that stands for a whole failed subgraph request. */
export const SUBGRAPH_REQUEST_FAILED = 'SUBREQUEST_HTTP_ERROR';

function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Error codes meaning the connection failed before a complete answer came back. */
const CONNECTION_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Whether a subgraph request failed at the connection (refused, reset, closed early), as opposed
 * to a timeout, an HTTP error status or a malformed answer.
 */
export function isConnectionFailure(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && CONNECTION_FAILURES.has(code);
}

/** Why a subgraph request failed, in a few words safe for clients: no URL, address or driver text. */
export function failureReason(error: unknown): string {
  if (error instanceof SubgraphTimeoutError) return `timed out after ${error.timeoutMs} ms`;
  if (error instanceof SubgraphLimitError) return error.message;
  if (error instanceof GraphQLError) {
    const status = (error.extensions.response as { status?: unknown } | undefined)?.status;
    if (typeof status === 'number') return `answered HTTP ${status}`;
  }
  switch (errorCode(error)) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection closed';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    default:
      return error instanceof SyntaxError ? 'answered with malformed JSON' : 'request failed';
  }
}

/**
 * The error a client sees when a subgraph request fails as a whole (down, timed out, non-2xx, not
 * JSON): its message names the subgraph, as does `extensions.serviceName`, which is where
 * @apollo/gateway puts the subgraph's name on the errors a subgraph returns itself.
 */
export function subgraphFailure(serviceName: string, error: unknown): GraphQLError {
  return new GraphQLError(`Subgraph "${serviceName}" failed: ${failureReason(error)}`, {
    extensions: { code: SUBGRAPH_REQUEST_FAILED, serviceName },
    originalError: error instanceof Error ? error : undefined,
  });
}

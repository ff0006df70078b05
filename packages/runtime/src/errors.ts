import { GraphQLError } from 'graphql';

/**
 * Every code a client can see in `errors[].extensions.code`: the one list the gateway, the
 * subgraphs and the HTTP layers answer with (Apollo Server's own codes included where this stack
 * sends or checks them).
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  /** The subgraph's database cannot be reached right now; retrying later may succeed. */
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  /**
   * The gateway could not link an external identity provider's user to a local account (the
   * users subgraph does not answer); HTTP 503.
   */
  IDENTITY_UNAVAILABLE: 'IDENTITY_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** The HTTP request itself cannot be read: not JSON, a bad encoding, a broken body. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The request body is over the configured limit; HTTP 413. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** Internal routes (gateway to subgraph) only: the request lost a race; the gateway retries. */
  CONFLICT: 'CONFLICT',
  /** Internal routes (gateway to subgraph) only: the answer cannot be given right now; HTTP 503. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** Apollo Server's codes, also used for operations over this stack's limits. */
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function unauthenticated(message = 'Authentication required'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
}

export function forbidden(message = 'Not allowed'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN } });
}

/** A bad argument; `field` is the argument's path as the client wrote it, e.g. `input.email`. */
export function badUserInput(field: string, message: string): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, field },
  });
}

export function notFound(what: string, id: string): GraphQLError {
  return new GraphQLError(`${what} ${JSON.stringify(id)} not found`, {
    extensions: { code: ErrorCode.NOT_FOUND },
  });
}

/** Throttled: `extensions.retryAfter` tells the client how many seconds to wait. */
export function tooManyRequests(
  retryAfterSeconds: number,
  message = `Too many attempts; retry in ${retryAfterSeconds} s`,
): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.TOO_MANY_REQUESTS, retryAfter: retryAfterSeconds },
  });
}

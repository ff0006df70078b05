import { GraphQLError } from 'graphql';

/** Every code a client can see in `errors[].extensions.code`, besides Apollo Server's own. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  /** The subgraph's database cannot be reached right now; retrying later may succeed. */
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
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

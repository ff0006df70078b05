import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from './logger';
import { ErrorCode } from './errors';

/** Codes whose messages are meant for the client and pass through unmasked. */
const CLIENT_CODES = new Set<string>([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.NOT_FOUND,
  ErrorCode.TOO_MANY_REQUESTS,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.BAD_REQUEST,
  ErrorCode.OPERATION_RESOLUTION_FAILURE,
  ErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
]);

/**
 * Apollo Server's `formatError`: errors with a client-facing code pass through; any other error
 * is logged and, in production, replaced by a generic message so that no SQL, driver text or
 * stack ever reaches a client.
 */
export function formatErrorFor(options: { production: boolean; logger: Logger }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_CODES.has(code)) return formatted;
    // Its message names no host or driver detail, so it is shown in production too.
    if (code === ErrorCode.DATABASE_UNAVAILABLE) {
      options.logger.warn({ err: error, path: formatted.path }, 'database unavailable');
      return formatted;
    }
    options.logger.error({ err: error, path: formatted.path }, 'unexpected error in resolver');
    if (!options.production) return formatted;
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

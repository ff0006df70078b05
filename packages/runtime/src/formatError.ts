import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from './logger';

/** Codes whose messages are meant for the client and pass through unmasked. */
const CLIENT_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'TOO_MANY_REQUESTS',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
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
    if (code === 'DATABASE_UNAVAILABLE') {
      options.logger.warn({ err: error, path: formatted.path }, 'database unavailable');
      return formatted;
    }
    options.logger.error({ err: error, path: formatted.path }, 'unexpected error in resolver');
    if (!options.production) return formatted;
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

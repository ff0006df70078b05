import type { GraphQLFormattedError } from 'graphql';
import { formatErrorFor } from '@fedstack/runtime/formatError';
import type { Logger } from '@fedstack/runtime/logger';
import { tokenLimitError } from './operationLimits';
import { SUBGRAPH_REQUEST_FAILED } from './subgraphFailure';

/**
 * Apollo Server's `formatError` for the gateway: the kit's masking (client codes pass, anything
 * else becomes "Internal server error" in production), applied to the gateway's own errors and to
 * those the subgraphs return. A failed subgraph request is reported with only its safe message
 * and the subgraph's name, and a masked subgraph error keeps `extensions.serviceName`. A document
 * over the token limit is reported like the other operation limits.
 */
export function formatGatewayError(options: { production: boolean; logger: Logger }) {
  const mask = formatErrorFor(options);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const overLimit = tokenLimitError(formatted);
    if (overLimit) return overLimit;
    const extensions = formatted.extensions ?? {};
    const serviceName =
      typeof extensions.serviceName === 'string' ? extensions.serviceName : undefined;
    if (extensions.code === SUBGRAPH_REQUEST_FAILED) {
      return {
        message: formatted.message,
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: SUBGRAPH_REQUEST_FAILED, serviceName },
      };
    }
    const result = mask(formatted, error);
    if (result === formatted || serviceName === undefined) return result;
    return { ...result, extensions: { ...result.extensions, serviceName } };
  };
}

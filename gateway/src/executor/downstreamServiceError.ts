import { errorCodeDef, ERRORS } from '@apollo/federation-internals';
import { GraphQLError, type GraphQLErrorOptions, type GraphQLFormattedError } from 'graphql';

/** Maps an error's path in a subgraph's answer to its path in the client's response. */
export type ErrorPathMapper = (path: GraphQLFormattedError['path']) => GraphQLErrorOptions['path'];

/**
 * A subgraph's error as the client sees it, built exactly as @apollo/gateway builds it: its
 * message (or a generic one naming the subgraph), its path in the response, its extensions with
 * `serviceName`, and its code (`DOWNSTREAM_SERVICE_ERROR` when it has none).
 */
export function downstreamServiceError(
  original: GraphQLFormattedError,
  serviceName: string,
  mapPath: ErrorPathMapper,
): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const extensions = original.extensions;
  const options: GraphQLErrorOptions = {
    originalError: original as unknown as Error,
    path: mapPath(original.path),
    extensions: { ...extensions, serviceName },
  };
  const codeDef = errorCodeDef(original);
  if (!codeDef && extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}

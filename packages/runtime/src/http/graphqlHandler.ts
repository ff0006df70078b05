import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import {
  HeaderMap,
  type ApolloServer,
  type BaseContext,
  type HTTPGraphQLRequest,
} from '@apollo/server';
import type { Logger } from '../logger';
import { HttpRequestError } from './HttpRequestError';
import { readJsonBody } from './readJsonBody';
import { sendError } from './sendError';
import { ErrorCode } from '../errors';

export interface GraphQLHandlerOptions {
  /** The largest request body accepted, in bytes after decoding (HTTP 413 above); default 1 MiB. */
  bodyLimitBytes?: number;
  /** Where a failure outside Apollo Server's own handling is logged; default nowhere. */
  logger?: Pick<Logger, 'error'>;
}

/**
 * Serves one GraphQL request: `context` builds its context (as `executeHTTPGraphQLRequest`
 * takes it), and `headers` go out with every answer, merged into Apollo Server's own.
 */
export type GraphQLHandler<TContext extends BaseContext> = (
  req: IncomingMessage,
  res: ServerResponse,
  context: () => Promise<TContext>,
  headers?: Readonly<Record<string, string>>,
) => Promise<void>;

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** The request's headers as Apollo Server reads them; repeated ones joined as `Headers` does. */
function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  const incoming = req.headers;
  for (const key in incoming) {
    const value = incoming[key];
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/**
 * Answers one GraphQL request whose body has already been read (`undefined` for a request without
 * a JSON body, which Apollo Server answers itself): `context` builds its context (as
 * `executeHTTPGraphQLRequest` takes it), and `headers` go out with the answer, merged into Apollo
 * Server's own.
 */
export type GraphQLExecutor<TContext extends BaseContext> = (
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  context: () => Promise<TContext>,
  headers?: Readonly<Record<string, string>>,
) => Promise<void>;

/**
 * The second half of `graphqlHandler`, for a caller that reads the body itself (see
 * `readJsonBody`) and checks it before executing: hands the request and its parsed body to
 * `executeHTTPGraphQLRequest`, and writes its answer once: one `writeHead` with every header and
 * `content-length`, then the serialized body as Apollo Server made it (no ETag, no second
 * serialization); incremental answers are streamed chunk by chunk. A failure is logged and
 * answered with a JSON 500 (or the connection destroyed once the answer has started).
 */
export function graphqlExecutor<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: Pick<GraphQLHandlerOptions, 'logger'> = {},
): GraphQLExecutor<TContext> {
  server.assertStarted('graphqlExecutor()');
  const { logger } = options;

  return async (req, res, body, context, headers = NO_HEADERS) => {
    try {
      const url = req.url ?? '';
      const query = url.indexOf('?');
      const httpGraphQLRequest: HTTPGraphQLRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        headers: headerMapOf(req),
        search: query === -1 ? '' : url.slice(query),
        body,
      };
      const response = await server.executeHTTPGraphQLRequest({ httpGraphQLRequest, context });
      const out: OutgoingHttpHeaders = { ...headers };
      for (const [key, value] of response.headers) out[key] = value;
      const status = response.status ?? 200;
      if (response.body.kind === 'complete') {
        out['content-length'] = Buffer.byteLength(response.body.string);
        res.writeHead(status, out);
        res.end(response.body.string);
        return;
      }
      res.writeHead(status, out);
      for await (const chunk of response.body.asyncIterator) {
        if (res.destroyed) break;
        res.write(chunk);
      }
      res.end();
    } catch (error) {
      failed(res, error, headers, logger);
    }
  };
}

/** Logs an unexpected failure and answers a JSON 500, or ends a response already started. */
function failed(
  res: ServerResponse,
  error: unknown,
  headers: Readonly<Record<string, string>>,
  logger: GraphQLHandlerOptions['logger'],
): void {
  logger?.error({ err: error }, 'unexpected error serving a GraphQL request');
  if (!res.headersSent) {
    sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error', headers);
  } else {
    res.destroy();
  }
}

/**
 * Apollo Server over bare `node:http`, without Express: reads the JSON body of a POST (see
 * `readJsonBody`: 413 over `bodyLimitBytes`, a JSON 400 when it is not JSON), then answers as
 * `graphqlExecutor` does. Everything else (GET and its CSRF rule, 405 for other methods,
 * batching, the landing page, errors) is Apollo Server's.
 */
export function graphqlHandler<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: GraphQLHandlerOptions = {},
): GraphQLHandler<TContext> {
  server.assertStarted('graphqlHandler()');
  const limitBytes = options.bodyLimitBytes ?? 1024 * 1024;
  const { logger } = options;
  const execute = graphqlExecutor(server, { logger });

  return async (req, res, context, headers = NO_HEADERS) => {
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = (await readJsonBody(req, limitBytes))?.body;
      } catch (error) {
        if (error instanceof HttpRequestError) {
          sendError(res, error.status, error.code, error.message, headers, error.detail);
        } else {
          failed(res, error, headers, logger);
        }
        return;
      }
    }
    return execute(req, res, body, context, headers);
  };
}

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import {
  HeaderMap,
  type ApolloServer,
  type BaseContext,
  type HTTPGraphQLRequest,
} from '@apollo/server';
import type { Logger } from '@fedstack/kit/logger';
import { HttpRequestError } from './HttpRequestError';
import { readJsonBody } from './readJsonBody';
import { sendError } from './sendError';

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
 * Apollo Server over bare `node:http`, without Express: reads the JSON body of a POST (see
 * `readJsonBody`: 413 over `bodyLimitBytes`, a JSON 400 when it is not JSON), hands the request
 * to `executeHTTPGraphQLRequest`, and writes its answer once: one `writeHead` with every header
 * and `content-length`, then the serialized body as Apollo Server made it (no ETag, no second
 * serialization); incremental answers are streamed chunk by chunk. Everything else (GET and its
 * CSRF rule, 405 for other methods, batching, the landing page, errors) is Apollo Server's.
 */
export function graphqlHandler<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: GraphQLHandlerOptions = {},
): GraphQLHandler<TContext> {
  server.assertStarted('graphqlHandler()');
  const limitBytes = options.bodyLimitBytes ?? 1024 * 1024;
  const { logger } = options;

  return async (req, res, context, headers = NO_HEADERS) => {
    try {
      let body: unknown;
      if (req.method === 'POST') {
        try {
          body = await readJsonBody(req, limitBytes);
        } catch (error) {
          if (!(error instanceof HttpRequestError)) throw error;
          sendError(res, error.status, error.code, error.message, headers, error.detail);
          return;
        }
      }
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
      logger?.error({ err: error }, 'unexpected error serving a GraphQL request');
      if (!res.headersSent) {
        sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error', headers);
      } else {
        res.destroy();
      }
    }
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestObservation } from '@fedstack/runtime/accessLog';
import type { Logger } from '@fedstack/runtime/logger';
import type { GatewayContext } from '../GatewayContext';
import type { ReadinessReport } from '../readinessCheck';
import { requestId } from '../requestId';
import { securityHeaders } from '../securityHeaders';
import { corsHeaders } from './corsHeaders';
import { EXPLORER_PATH, explorerResponder } from './explorer';
import type { GraphQLHandler } from '@fedstack/runtime/http/graphqlHandler';
import { metricsResponder } from './metricsResponder';
import { sendError } from '@fedstack/runtime/http/sendError';
import { sendJson } from '@fedstack/runtime/http/sendJson';
import { ErrorCode } from '@fedstack/runtime/errors';

export interface GatewayRequestHandlerOptions {
  /**
   * Production sends HSTS and a CSP that allows nothing; development allows Apollo Sandbox, serves
   * the offline explorer at `/explorer` and redirects `GET /` to it.
   */
  production: boolean;
  /** `CORS_ORIGINS`: `'*'`, a list, or an empty list for no CORS. */
  corsOrigins: '*' | readonly string[];
  graphql: GraphQLHandler<GatewayContext>;
  /** Builds a request's GraphQL context (identity, client address, logger). */
  context: (
    req: IncomingMessage,
    requestId: string,
    observation: RequestObservation,
  ) => Promise<GatewayContext>;
  /** Starts the access log and metrics of one `/graphql` request. */
  observe: (requestId: string) => RequestObservation;
  readiness: () => Promise<ReadinessReport>;
  /** Whether `/metrics` is served on this port. */
  metrics: boolean;
  logger: Logger;
}

const NOT_FOUND = { errors: [{ message: 'Not found', extensions: { code: ErrorCode.NOT_FOUND } }] };
const HEALTHY = JSON.stringify({ status: 'ok', service: 'gateway' });

/**
 * The gateway's whole HTTP surface on `node:http`, without Express: every answer carries the
 * security headers (computed once) and the request's `x-request-id`. `/graphql` adds CORS, the
 * access log and metrics, and goes to Apollo Server; `GET /health`, `GET /health/ready` (never
 * cached, 503 with each subgraph's state while one is down, and 503 `draining` during a
 * shutdown) and, with `metrics`, `GET /metrics`; in development, the offline explorer at
 * `/explorer` (see `explorerResponder`) and `GET /` redirecting to it; anything else is a JSON 404. A failure outside Apollo Server is logged and answered with a
 * JSON 500.
 */
export function gatewayRequestHandler(
  options: GatewayRequestHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { graphql, context, observe, readiness, logger } = options;
  const security = securityHeaders(options.production);
  const cors = corsHeaders(options.corsOrigins);
  const sendMetrics = options.metrics ? metricsResponder() : undefined;
  const explorer = options.production ? undefined : explorerResponder();

  const serveGraphQL = (req: IncomingMessage, res: ServerResponse, id: string) => {
    const observation = observe(id);
    res.once('finish', () => observation.finished(res.statusCode));
    let headers: Record<string, string> = { ...security, 'x-request-id': id };
    if (cors) {
      const answer = cors(req);
      headers = Object.assign(headers, answer.headers);
      if (answer.preflight) {
        headers['content-length'] = '0';
        res.writeHead(204, headers);
        res.end();
        return;
      }
    }
    return graphql(req, res, () => context(req, id, observation), headers);
  };

  const serveReady = async (res: ServerResponse, headers: Record<string, string>) => {
    const report = await readiness();
    sendJson(
      res,
      report.ready ? 200 : 503,
      {
        status: report.draining ? 'draining' : report.ready ? 'ready' : 'unavailable',
        service: 'gateway',
        subgraphs: report.subgraphs,
      },
      { ...headers, 'cache-control': 'no-store' },
    );
  };

  const route = (
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
  ): Promise<void> | undefined => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (path === '/graphql' || path === '/graphql/') return serveGraphQL(req, res, id);
    const headers = { ...security, 'x-request-id': id };
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read && (path === '/health' || path === '/health/')) {
      res.writeHead(200, {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
        'content-length': HEALTHY.length,
      });
      res.end(HEALTHY);
      return;
    }
    if (read && (path === '/health/ready' || path === '/health/ready/')) {
      return serveReady(res, headers);
    }
    if (read && sendMetrics && (path === '/metrics' || path === '/metrics/')) {
      return sendMetrics(res, headers);
    }
    if (read && explorer) {
      if (path === '/') {
        res.writeHead(302, { ...headers, location: EXPLORER_PATH, 'content-length': '0' });
        res.end();
        return;
      }
      if (explorer(req, res, path, headers)) return;
    }
    sendJson(res, 404, NOT_FOUND, headers);
    return undefined;
  };

  return (req, res) => {
    const id = requestId(req);
    const failed = (error: unknown) => {
      logger.error({ err: error }, 'unexpected error handling an HTTP request');
      if (!res.headersSent) {
        sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error', {
          ...security,
          'x-request-id': id,
        });
      } else {
        res.destroy();
      }
    };
    try {
      route(req, res, id)?.catch(failed);
    } catch (error) {
      failed(error);
    }
  };
}

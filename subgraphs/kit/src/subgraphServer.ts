import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import express from 'express';
import type { DocumentNode } from 'graphql';
import { observeContext, observingPlugin, requestObserver } from '@fedstack/runtime/accessLog';
import type { SubgraphBaseConfig } from './config';
import type { Database } from './database';
import { verifyGatewayRequest } from '@fedstack/envelope/gatewaySigned';
import { formatErrorFor } from '@fedstack/runtime/formatError';
import { httpErrorHandler } from '@fedstack/runtime/httpErrorHandler';
import { graphqlExecutor } from '@fedstack/runtime/http/graphqlHandler';
import { HttpRequestError } from '@fedstack/runtime/http/HttpRequestError';
import { readJsonBody, type JsonBody } from '@fedstack/runtime/http/readJsonBody';
import { sendError } from '@fedstack/runtime/http/sendError';
import type { Logger } from '@fedstack/runtime/logger';
import { metricsHandler } from '@fedstack/runtime/metrics';
import { refuseQueriesOfAbortedRequests, runInAbortScope } from './requestAbort';
import { requestIdOf } from '@fedstack/runtime/requestId';
import { viewerFromIdentity, type Viewer } from './viewer';
import { listenOn } from '@fedstack/runtime/listenOn';
import { ErrorCode } from '@fedstack/runtime/errors';

/** What every subgraph's per-request context starts from. */
export interface RequestScope {
  viewer: Viewer | null;
  /** The end client's address, as signed by the gateway; undefined when it sent none. */
  clientIp: string | undefined;
  requestId: string;
  logger: Logger;
  /**
   * Aborts when the gateway closes the connection before the answer is sent (it gave up);
   * the database then refuses further SQL for the request. Long loops may check it too.
   */
  signal: AbortSignal;
}

export interface SubgraphServerOptions<TContext extends BaseContext> {
  config: SubgraphBaseConfig;
  typeDefs: DocumentNode;
  // The resolver map's context type is erased here; each subgraph types its own resolvers.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resolvers: GraphQLResolverMap<any>;
  logger: Logger;
  /** Builds the per-request context: the viewer plus fresh DataLoaders. */
  createContext(scope: RequestScope): TContext;
  /**
   * The subgraph's database: `/health/ready` answers 503 unless it answers `SELECT 1`, and it is
   * closed once the HTTP server has drained.
   */
  db: Database;
  /**
   * Extra routes beside `/graphql` (each does its own authentication), mounted before the JSON
   * 404, e.g. the users subgraph's revocation feed.
   */
  routes?: (app: express.Express) => void;
}

export interface SubgraphServer {
  app: express.Express;
  httpServer: Server;
  /** Listens on `port` (0 for a free one) and resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, lets in-flight requests finish, then closes the database. */
  stop(): Promise<void>;
}

const UNSIGNED = 'subgraphs accept only signed POST requests from the gateway';
const NOT_JSON = 'Request body is not valid JSON';

/** Whether `req` is a `POST /graphql` (the path exactly, a query string allowed). */
function isGraphQLPost(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return (query === -1 ? url : url.slice(0, query)) === '/graphql';
}

/**
 * Builds a subgraph's HTTP server without listening: `/graphql` behind the gateway-signature
 * check, and `/health`, `/health/ready`. `POST /graphql`, the path the gateway calls, is served
 * on `node:http` without Express; every other request goes to the Express `app`, whose `/graphql`
 * mount runs the same handler.
 */
export async function createSubgraphServer<TContext extends BaseContext>(
  options: SubgraphServerOptions<TContext>,
): Promise<SubgraphServer> {
  const { config, logger } = options;
  const production = config.nodeEnv === 'production';
  const app = express();
  app.disable('x-powered-by');
  // An ETag is a SHA-1 of every answer, and answers to POST are never revalidated.
  app.set('etag', false);
  const httpServer = createServer((req, res) => {
    if (isGraphQLPost(req)) void serveGraphQL(req, res);
    else app(req, res);
  });

  const apollo = new ApolloServer<TContext>({
    schema: buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers: options.resolvers }),
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: production,
    // runService owns SIGTERM/SIGINT: Apollo's own handlers would stop it behind the service's back.
    stopOnTerminationSignals: false,
    formatError: formatErrorFor({ production, logger }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // Inline traces are for Apollo's hosted studio, which this stack does not report to.
      ApolloServerPluginInlineTraceDisabled(),
      // No schema here sets cache hints, so every answer was `no-store` anyway (set below); the
      // plugin's hook on every resolved field cost more than the rest of the plugins together.
      ApolloServerPluginCacheControlDisabled(),
      observingPlugin<TContext>(),
    ],
  });
  await apollo.start();
  refuseQueriesOfAbortedRequests(options.db.sequelize);

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: config.service, pid: process.pid });
  });
  // With METRICS_PORT, metrics are served on that port only.
  const metricsServer =
    config.metricsEnabled && config.metricsPort !== undefined
      ? createServer(express().get('/metrics', metricsHandler()))
      : undefined;
  if (config.metricsEnabled && !metricsServer) app.get('/metrics', metricsHandler());
  app.get('/health/ready', async (_req, res) => {
    let ready = false;
    try {
      await options.db.sequelize.query('SELECT 1');
      ready = true;
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
    }
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'unavailable', service: config.service });
  });

  const observe = requestObserver({
    service: config.service,
    logger,
    operations: config.metricsOperations,
  });
  const execute = graphqlExecutor(apollo, { logger });

  /**
   * One `/graphql` request: its id (returned in `x-request-id`), the access log and metrics,
   * `cache-control: no-store` on every answer (they carry a caller's data), the JSON body (413
   * over the limit, a JSON 400 when it is not JSON), the gateway's signature over the exact body
   * bytes (401 for anything unsigned, GET included), then Apollo Server inside the request's
   * abort scope.
   */
  const serveGraphQL = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const given = req.headers['x-request-id'];
    const requestId = requestIdOf(typeof given === 'string' ? given : undefined);
    const observation = observe(requestId);
    res.once('finish', () => observation.finished(res.statusCode));
    const headers = { 'x-request-id': requestId, 'cache-control': 'no-store' };
    try {
      const read = await readBody(req, res, headers);
      if (read === null) return;
      const result =
        req.method === 'POST' && read
          ? verifyGatewayRequest(config, {
              headers: req.headers,
              method: req.method,
              body: read.raw,
            })
          : ({ ok: false, reason: UNSIGNED } as const);
      if (!result.ok) {
        logger.warn(
          { reason: result.reason, ip: req.socket.remoteAddress },
          'refused unsigned subgraph request',
        );
        sendError(
          res,
          401,
          ErrorCode.UNAUTHENTICATED,
          `Unauthenticated: ${result.reason}`,
          headers,
        );
        return;
      }
      const body = read?.body;
      const viewer = viewerFromIdentity(result.identity);
      const clientIp = result.clientAddress;
      if (config.testDelayMs > 0) await delay(config.testDelayMs);
      await runInAbortScope(res, (signal) =>
        execute(
          req,
          res,
          body,
          async () =>
            observeContext(
              options.createContext({
                viewer,
                clientIp,
                requestId,
                logger: logger.child({ requestId }),
                signal,
              }),
              observation,
            ),
          headers,
        ),
      );
    } catch (error) {
      logger.error({ err: error }, 'unexpected error handling an HTTP request');
      if (!res.headersSent) {
        sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error', headers);
      } else {
        res.destroy();
      }
    }
  };

  /**
   * The request's JSON body (see `readJsonBody`; `undefined` when it has none), or `null` once a
   * body that cannot be read has been answered, as `httpErrorHandler` answered it: a 413 with the
   * limit, a 400 for JSON that does not parse, else `Request cannot be read` (the parser's own
   * detail is not sent back).
   */
  const readBody = async (
    req: IncomingMessage,
    res: ServerResponse,
    headers: Readonly<Record<string, string>>,
  ): Promise<JsonBody | undefined | null> => {
    try {
      return await readJsonBody(req, config.bodyLimitBytes);
    } catch (error) {
      if (!(error instanceof HttpRequestError)) throw error;
      const message =
        error.status === 413 || error.message === NOT_JSON
          ? error.message
          : 'Request cannot be read';
      sendError(res, error.status, error.code, message, headers);
      return null;
    }
  };

  app.use('/graphql', (req, res) => void serveGraphQL(req, res));
  options.routes?.(app);
  app.use((_req, res) => {
    res
      .status(404)
      .json({ errors: [{ message: 'Not found', extensions: { code: ErrorCode.NOT_FOUND } }] });
  });
  // What fails in Express (e.g. in a route of `routes`): a JSON error, never Express's HTML page.
  app.use(httpErrorHandler(logger));

  return {
    app,
    httpServer,
    async listen(port, host) {
      if (metricsServer) await listenOn(metricsServer, config.metricsPort ?? 0, host);
      return listenOn(httpServer, port, host);
    },
    async stop() {
      await apollo.stop();
      if (httpServer.listening)
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      if (metricsServer?.listening)
        await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      await options.db.close();
    },
  };
}

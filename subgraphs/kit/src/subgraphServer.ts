import { createServer, type Server } from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import express, { type Request } from 'express';
import type { DocumentNode } from 'graphql';
import { accessLog, observeContext, observingPlugin } from './accessLog';
import type { SubgraphBaseConfig } from './config';
import type { Database } from './database';
import { verifyEnvelope } from './envelope';
import { formatErrorFor } from './formatError';
import { httpErrorHandler } from './httpErrorHandler';
import type { Logger } from './logger';
import { metricsHandler } from './metrics';
import { refuseQueriesOfAbortedRequests, requestAbortScope } from './requestAbort';
import { viewerFromIdentity, type Viewer } from './viewer';
import { listenOn } from './listenOn';

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

type RawBodyRequest = Request & { rawBody?: Buffer };

/**
 * Builds a subgraph's HTTP server without listening: `/graphql` behind the gateway-signature
 * check, and `/health`, `/health/ready`.
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
  const httpServer = createServer(app);

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

  app.use(
    '/graphql',
    accessLog({ service: config.service, logger, operations: config.metricsOperations }),
    express.json({
      limit: config.bodyLimitBytes,
      verify: (req, _res, buf) => {
        (req as RawBodyRequest).rawBody = buf;
      },
    }),
    (req, res, next) => {
      // Answers carry a caller's data: no cache on the way may keep them.
      res.setHeader('cache-control', 'no-store');
      const raw = (req as RawBodyRequest).rawBody;
      const result =
        req.method === 'POST' && raw
          ? verifyEnvelope(config.signingSecret, {
              audience: config.service,
              headers: req.headers,
              method: req.method,
              body: raw,
              maxAgeMs: config.signatureMaxAgeMs,
            })
          : ({
              ok: false,
              reason: 'subgraphs accept only signed POST requests from the gateway',
            } as const);
      if (!result.ok) {
        logger.warn({ reason: result.reason, ip: req.ip }, 'refused unsigned subgraph request');
        res.status(401).json({
          errors: [
            {
              message: `Unauthenticated: ${result.reason}`,
              extensions: { code: 'UNAUTHENTICATED' },
            },
          ],
        });
        return;
      }
      res.locals.viewer = viewerFromIdentity(result.identity);
      res.locals.clientIp = result.clientAddress;
      if (config.testDelayMs > 0) setTimeout(next, config.testDelayMs);
      else next();
    },
    requestAbortScope(),
    expressMiddleware(apollo, {
      context: async ({ res }) => {
        const requestId = res.locals.requestId as string;
        return observeContext(
          options.createContext({
            viewer: res.locals.viewer as Viewer | null,
            clientIp: res.locals.clientIp as string | undefined,
            requestId,
            logger: logger.child({ requestId }),
            signal: res.locals.signal as AbortSignal,
          }),
          res,
        );
      },
    }),
  );
  options.routes?.(app);
  app.use((_req, res) => {
    res.status(404).json({ errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });
  });
  // Unparsable JSON, a body over the limit: a JSON error, never Express's HTML page and stack.
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

import { createServer, type Server } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { Fetcher } from '@apollo/utils.fetcher';
import { observeContext, observingPlugin, requestObserver } from '@fedstack/runtime/accessLog';
import { graphqlHandler } from '@fedstack/runtime/http/graphqlHandler';
import { envelopeKey } from '@fedstack/envelope/envelope';
import { createLogger, type Logger } from '@fedstack/runtime/logger';
import { Agent } from 'undici';
import { AccessTokenError } from './auth/AccessTokenError';
import { createAuthenticator } from './auth/createAuthenticator';
import { IdentityLinks } from './auth/identityLinks';
import { RevocationList, type FeedEntry } from './auth/revocationList';
import { RevocationStream } from './auth/revocationStream';
import { unauthenticatedError } from './auth/unauthenticatedError';
import { clientAddress } from './clientAddress';
import type { GatewayConfig } from './config';
import { costDirectivesOf, NO_COST_DIRECTIVES } from './costDirectives';
import { costLimitPlugin } from './costLimitPlugin';
import { credentialFieldsRule } from './credentialFieldsRule';
import { formatGatewayError } from './formatGatewayError';
import type { GatewayContext } from './GatewayContext';
import { gatewayRequestHandler } from './http/gatewayRequestHandler';
import { metricsRequestHandler } from './http/metricsRequestHandler';
import { operationLimitProtection, parseOptionsFor } from './operationLimits';
import { createReadinessCheck, type ReadinessReport } from './readinessCheck';
import { FastExecutorGateway } from './executor/FastExecutorGateway';
import { createSigningFetcher } from '@fedstack/envelope/signingFetcher';
import { SubgraphDataSource } from './SubgraphDataSource';
import { subgraphEndpointsOf, type SubgraphEndpoint } from './subgraphEndpoints';
import { createSubgraphFetcher } from './subgraphFetcher';
import { supergraphFromFile } from './supergraphFromFile';
import { throttledStatus } from './throttledStatus';
import { listenOn } from '@fedstack/runtime/listenOn';
import { closeRedis, openRedis } from '@fedstack/runtime/redis';
import { redisCache } from './redisCache';

/** What `/health/ready` answers while the gateway drains for a shutdown. */
const DRAINING: ReadinessReport = { ready: false, draining: true, subgraphs: {} };

export interface GatewayServerOptions {
  /** Defaults to a pino logger named `gateway` at `config.logLevel` in `config.logFormat`. */
  logger?: Logger;
  /**
   * Replaces the HTTP client that carries subgraph requests (by default undici, keep-alive, with
   * `config.subgraphTimeoutMs` per request). The gateway still signs every request through it.
   */
  fetcher?: Fetcher;
  /** How often the supergraph file is checked for changes; default 1000 ms. */
  supergraphPollIntervalMs?: number;
}

export interface GatewayServer {
  httpServer: Server;
  /** Listens on `port` (0 for a free one) and resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Answers `/health/ready` with 503 and keeps serving for `SHUTDOWN_DRAIN_DELAY_MS`, then stops
   * accepting, lets in-flight requests finish, and stops the gateway and its connections.
   */
  stop(): Promise<void>;
}

/**
 * Builds the gateway without listening: ApolloGateway over `config.supergraphFile` (reloaded when
 * it changes), Apollo Server with the operation limits, and the `node:http` server with
 * `/graphql`, `/health`, `/health/ready` and `/metrics` (see `gatewayRequestHandler`).
 */
export async function createGatewayServer(
  config: GatewayConfig,
  options: GatewayServerOptions = {},
): Promise<GatewayServer> {
  const production = config.nodeEnv === 'production';
  const logger =
    options.logger ??
    createLogger({ service: 'gateway', level: config.logLevel, format: config.logFormat });

  const agent = new Agent({
    keepAliveTimeout: 4_000,
    connect: { timeout: Math.min(config.subgraphTimeoutMs, 10_000) },
  });
  const transport = (timeoutMs: number): Fetcher =>
    options.fetcher ??
    createSubgraphFetcher({
      dispatcher: agent,
      timeoutMs,
      maxResponseBytes: config.subgraphResponseLimitBytes,
    });
  const subgraphFetcher = transport(config.subgraphTimeoutMs);
  const signingKey = envelopeKey(config.signingSecret);
  const routed = (name: string, url: string | undefined): SubgraphEndpoint => ({
    name,
    url: config.subgraphUrls[name] ?? url ?? '',
  });

  let endpoints: SubgraphEndpoint[] = [];
  // @apollo/gateway reads this itself when constructed: unless it is "true", it reports usage to
  // Apollo and probes cloud metadata services (printing warnings where there are none). A
  // self-hosted front door does neither unless asked to.
  process.env.APOLLO_TELEMETRY_DISABLED = config.apolloTelemetry ? 'false' : 'true';
  // The fast executor sends subgraph requests through the very data sources the gateway built.
  const dataSources = new Map<string, SubgraphDataSource>();
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile(config.supergraphFile, {
      logger,
      pollIntervalMs: options.supergraphPollIntervalMs,
    }),
    buildService: ({ name, url }) => {
      const dataSource = new SubgraphDataSource({
        ...routed(name, url),
        fetcher: subgraphFetcher,
        signingKey,
        logger,
        queryRetries: config.subgraphQueryRetries,
        maxRepresentations: config.maxEntityRepresentations,
        dedup: config.subgraphDedup,
      });
      dataSources.set(name, dataSource);
      return dataSource;
    },
    logger,
    validateSupergraph: true,
  });
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    endpoints = subgraphEndpointsOf(coreSupergraphSdl).map(({ name, url }) => routed(name, url));
  });
  // The API schema Apollo Server validates against has the cost directives stripped.
  let costDirectives = NO_COST_DIRECTIVES;
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    costDirectives = costDirectivesOf(coreSupergraphSdl);
  });
  // The gateway's own signed calls to subgraphs (readiness, the revocation feed, identity links).
  const internalFetcher = createSigningFetcher(
    transport(config.readinessTimeoutMs),
    config.signingSecret,
  );
  const urlOf = (subgraph: string | undefined) =>
    endpoints.find(({ name }) => name === subgraph)?.url;
  const readiness = createReadinessCheck(() => endpoints, internalFetcher);

  // With REDIS_URL, the state replicas must share: the revocation stream and Apollo's cache
  // (automatic persisted queries). Nothing here waits for Redis; without it each falls back.
  const redis = config.redisUrl
    ? await openRedis(
        config.redisUrl,
        logger,
        'revocations arrive through the feed poll only and persisted queries are not found until it answers',
      )
    : undefined;

  const httpServer = createServer();
  const limits = operationLimitProtection(config.limits, { blockFieldSuggestions: production });
  const apollo = new ApolloServer<GatewayContext>({
    gateway:
      config.executor === 'fast'
        ? new FastExecutorGateway({ gateway, dataSources, logger })
        : gateway,
    nodeEnv: config.nodeEnv,
    ...(redis ? { cache: redisCache(redis) } : {}),
    // runService owns SIGTERM/SIGINT: Apollo's own handlers would stop it behind the service's back.
    stopOnTerminationSignals: false,
    logger,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: production,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    formatError: formatGatewayError({ production, logger }),
    validationRules: [...limits.validationRules, credentialFieldsRule(config.credentialFields)],
    parseOptions: parseOptionsFor(config.limits),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      ...limits.plugins,
      costLimitPlugin<GatewayContext>({
        maxCost: config.limits.maxCost,
        defaultListSize: config.limits.costDefaultListSize,
        directives: () => costDirectives,
      }),
      throttledStatus<GatewayContext>(),
      observingPlugin<GatewayContext>(),
    ],
  });
  try {
    await apollo.start();
  } catch (error) {
    await agent.close();
    if (redis) await closeRedis(redis);
    // Loading the supergraph is what can fail here: say which file.
    throw new Error(
      `SUPERGRAPH_FILE "${config.supergraphFile}" is not a valid supergraph: ${(error as Error).message}`,
      { cause: error },
    );
  }

  const revocations = new RevocationList({
    settings: config.revocation,
    subgraphUrl: () => urlOf(config.revocation.subgraph),
    fetcher: internalFetcher,
    logger,
  });
  const revocationStream =
    redis && config.revocation.subgraph !== undefined
      ? new RevocationStream(redis, (entry) => revocations.add(entry as FeedEntry), logger)
      : undefined;
  if (config.revocation.subgraph !== undefined) await revocations.start();
  revocationStream?.start();

  // External callers act as the local account the users subgraph links them to.
  const { identityLinks } = config.jwt;
  const links = new IdentityLinks({
    ...identityLinks,
    subgraphUrl: () => urlOf(identityLinks.subgraph),
    fetcher: internalFetcher,
    logger,
  });
  const authenticate = createAuthenticator(config.jwt, {
    logger,
    link: (caller) => links.identityOf(caller),
  });

  // With METRICS_PORT, metrics are served on that port only, away from the public one.
  const metricsServer =
    config.metricsEnabled && config.metricsPort !== undefined
      ? createServer(metricsRequestHandler(logger))
      : undefined;
  const addressOf = clientAddress(config.trustProxy);
  let draining = false;
  httpServer.on(
    'request',
    gatewayRequestHandler({
      production,
      corsOrigins: config.corsOrigins,
      graphql: graphqlHandler(apollo, { bodyLimitBytes: config.bodyLimitBytes, logger }),
      observe: requestObserver({
        service: 'gateway',
        logger,
        operations: config.metricsOperations,
      }),
      async context(req, id, observation): Promise<GatewayContext> {
        const requestLogger = logger.child({ requestId: id });
        try {
          const identity = await authenticate(req.headers.authorization);
          const revoked = identity && revocations.refusal(identity);
          if (revoked) throw new AccessTokenError('revoked', revoked);
          return observeContext(
            {
              identity,
              clientAddress: addressOf(req),
              requestId: id,
              logger: requestLogger,
            },
            observation,
          );
        } catch (error) {
          if (!(error instanceof AccessTokenError)) throw error;
          requestLogger.info(
            { reason: error.reason, detail: error.message },
            'access token refused',
          );
          throw unauthenticatedError(error);
        }
      },
      readiness: () => (draining ? Promise.resolve(DRAINING) : readiness()),
      metrics: config.metricsEnabled && !metricsServer,
      logger,
    }),
  );

  let stopping: Promise<void> | undefined;
  return {
    httpServer,
    async listen(port, host) {
      if (metricsServer) await listenOn(metricsServer, config.metricsPort ?? 0, host);
      return listenOn(httpServer, port, host);
    },
    stop() {
      stopping ??= (async () => {
        draining = true;
        // From now on each answer also closes its connection, so that a proxy holding idle
        // connections to this gateway opens its next ones elsewhere. Added only now, so that
        // requests before a shutdown pay nothing for it.
        httpServer.prependListener('request', (_req, res) => res.setHeader('connection', 'close'));
        if (config.shutdownDrainDelayMs > 0 && httpServer.listening) {
          await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainDelayMs));
        }
        await revocationStream?.stop();
        await revocations.stop();
        await apollo.stop();
        await gateway.stop();
        if (httpServer.listening) {
          await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        }
        await agent.close();
        if (metricsServer?.listening) {
          await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
        }
        if (redis) await closeRedis(redis);
      })();
      return stopping;
    },
  };
}

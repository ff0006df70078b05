import { createServer, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { parse } from 'graphql';
import type { FixtureSubgraphDefinition } from './types';
import { listenOn } from '@fedstack/runtime/listenOn';

export interface FixtureSubgraph {
  name: string;
  typeDefs: string;
  url: string;
  /** Closes the HTTP server and every connection: requests to it are refused until `start()`. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** While on, every request is answered HTTP 503 with a plain-text body. */
  answerUnavailable(on: boolean): void;
  /** Stops for good. */
  close(): Promise<void>;
}

/**
 * Serves one fixture subgraph (`buildSubgraphSchema` in Apollo Server) over real HTTP on
 * 127.0.0.1 and a free port. It ignores the gateway's signature headers. Stack traces stay out of
 * its errors, so that its answers are the same for every gateway that asks.
 */
export async function startFixtureSubgraph(
  definition: FixtureSubgraphDefinition,
): Promise<FixtureSubgraph> {
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: parse(definition.typeDefs),
      resolvers: definition.resolvers,
    }),
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const app = express();
  let unavailable = false;
  app.use('/graphql', (_req, res, next) => {
    if (!unavailable) return next();
    res.status(503).type('text/plain').send('Service Unavailable: down for maintenance');
  });
  app.use('/graphql', express.json({ limit: '10mb' }), expressMiddleware(apollo));
  const server: Server = createServer(app);
  let port = 0;
  const start = async () => {
    port = await listenOn(server, port, '127.0.0.1');
  };
  const stop = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };
  await start();
  return {
    name: definition.name,
    typeDefs: definition.typeDefs,
    url: `http://127.0.0.1:${port}/graphql`,
    stop,
    start,
    answerUnavailable(on) {
      unavailable = on;
    },
    async close() {
      if (server.listening) await stop();
      await apollo.stop();
    },
  };
}

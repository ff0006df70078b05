import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { VerifyResult } from '@fedstack/envelope/envelope';
import { verifyGatewayRequest } from '@fedstack/envelope/gatewaySigned';
import express from 'express';
import { parse } from 'graphql';
import { listenOn } from '@fedstack/runtime/listenOn';

/** One request as the stub subgraph received it, before anything else looked at it. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  envelope: VerifyResult;
}

export interface StubContext {
  envelope: VerifyResult;
}

export interface StubSubgraph {
  name: string;
  typeDefs: string;
  url: string;
  received: ReceivedRequest[];
  /** Starts listening again on the same port after `stop()`. */
  start(): Promise<void>;
  /** Stops listening; requests to it are refused until `start()`. */
  stop(): Promise<void>;
  /** Stops for good. */
  close(): Promise<void>;
}

/**
 * A small federated subgraph for gateway tests. Like the real ones, it refuses requests without a
 * valid gateway envelope with HTTP 401; unlike them it records every request it receives.
 */
export async function startStubSubgraph(options: {
  name: string;
  typeDefs: string;
  // The stub's resolvers are untyped on purpose: each test schema is a few lines.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resolvers: GraphQLResolverMap<any>;
  signingSecret: string;
}): Promise<StubSubgraph> {
  const received: ReceivedRequest[] = [];
  const apollo = new ApolloServer<StubContext>({
    schema: buildSubgraphSchema({
      typeDefs: parse(options.typeDefs),
      resolvers: options.resolvers,
    }),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const app = express();
  app.use(
    '/graphql',
    express.json({
      verify: (req, _res, buffer) => {
        (req as unknown as { rawBody: Buffer }).rawBody = buffer;
      },
    }),
    (req, res, next) => {
      const body = (req as unknown as { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
      // The subgraphs' own check, as the kit runs it.
      const envelope = verifyGatewayRequest(
        { service: options.name, signingSecret: options.signingSecret, signatureMaxAgeMs: 30_000 },
        { headers: req.headers, method: req.method, body },
      );
      received.push({ headers: { ...req.headers }, body: body.toString('utf8'), envelope });
      if (!envelope.ok) {
        res.status(401).json({ errors: [{ message: envelope.reason }] });
        return;
      }
      res.locals.envelope = envelope;
      next();
    },
    expressMiddleware(apollo, {
      context: async ({ res }) => ({ envelope: res.locals.envelope as VerifyResult }),
    }),
  );
  const server: Server = createServer(app);
  let port = 0;
  const listen = async () => {
    port = await listenOn(server, port, '127.0.0.1');
  };
  const stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  await listen();
  return {
    name: options.name,
    typeDefs: options.typeDefs,
    url: `http://127.0.0.1:${port}/graphql`,
    received,
    start: listen,
    stop,
    async close() {
      if (server.listening) await stop();
      await apollo.stop();
    },
  };
}

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  defineIntegrationTestSuite,
  type CreateServerForIntegrationTestsResult,
} from '@apollo/server-integration-testsuite';
import { graphqlHandler } from '@fedstack/runtime/http/graphqlHandler';

/**
 * Apollo Server's own conformance suite for HTTP integrations, run against the gateway's
 * `node:http` handler as Apollo runs it against its standalone server: a server built from the
 * options each test gives, started, then served by the handler on a free port. Every test of the
 * suite applies and runs as it is; the only ones it reports skipped are those it skips itself
 * because they need graphql@17 (`@defer`/`@stream` execution), which this repository does not use.
 * The handler runs with the gateway's defaults; the gateway's own settings (batching off, CSRF
 * prevention, the landing page) are Apollo Server options, which each test sets as it needs.
 */
defineIntegrationTestSuite(async (serverOptions, testOptions) => {
  const httpServer = createServer();
  const server = new ApolloServer<BaseContext>({
    ...serverOptions,
    plugins: [...(serverOptions.plugins ?? []), ApolloServerPluginDrainHttpServer({ httpServer })],
  } as ConstructorParameters<typeof ApolloServer<BaseContext>>[0]);
  await server.start();
  const handle = graphqlHandler(server);
  const context = testOptions?.context ?? (async () => ({}));
  httpServer.on('request', (req, res) => {
    void handle(req, res, context);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    async extraCleanup() {
      if (httpServer.listening) await new Promise((resolve) => httpServer.close(resolve));
    },
  } as unknown as CreateServerForIntegrationTestsResult;
});

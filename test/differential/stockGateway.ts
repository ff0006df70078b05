import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { Logger } from '@apollo/utils.logger';
import type { GatewayFactory } from './types';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The reference: stock `@apollo/gateway` in `@apollo/server`'s standalone server, set up as
 * Apollo's documentation does (`new ApolloGateway({ supergraphSdl })`, `new ApolloServer({
 * gateway })`). Two settings differ from that set-up, neither of which changes an answer's data or
 * errors: a silent logger, and no stack traces in errors (`includeStacktraceInErrorResponses:
 * false`, as in production; fedstack's gateway never sends them either).
 */
export const stockGateway: GatewayFactory = {
  name: 'stock @apollo/gateway',
  async start(supergraphSdl) {
    // @apollo/gateway reports usage to Apollo and probes cloud metadata unless this is "true".
    process.env.APOLLO_TELEMETRY_DISABLED = 'true';
    const gateway = new ApolloGateway({ supergraphSdl, logger: silent });
    const server = new ApolloServer({
      gateway,
      logger: silent,
      includeStacktraceInErrorResponses: false,
    });
    const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
    return { url, stop: () => server.stop() };
  },
};

import { readFileSync } from 'node:fs';
import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { Fetcher } from '@apollo/utils.fetcher';
import { readSecretFile } from '@fedstack/runtime/devSecrets';
import { ENVELOPE_HEADERS } from '@fedstack/envelope/envelope';
import { createSigningFetcher } from '@fedstack/envelope/signingFetcher';
import jwt from 'jsonwebtoken';

/**
 * The benchmark's baseline: `@apollo/gateway` as its documentation sets it up (standalone Apollo
 * Server, default data sources over the platform's `fetch`), plus only what this stack's
 * subgraphs require to answer at all: the JWT check and the signed identity envelope, signed over
 * the exact body sent. Configured through argv:
 * `<port> <supergraph file> <JWT public key file> <signing secret file> <name>=<url>...`.
 */
interface Context {
  userId?: string;
  role?: string;
}

const [port, supergraphFile, publicKeyFile, secretFile, ...urls] = process.argv.slice(2);
const routing = Object.fromEntries(urls.map((entry) => entry.split('=') as [string, string]));
const publicKey = readSecretFile(String(publicKeyFile));
const secret = readSecretFile(String(secretFile));

const sign = createSigningFetcher(fetch as unknown as Fetcher, secret);

/**
 * A data source's fetcher: moves the identity `willSendRequest` put in headers (the way a stock
 * gateway forwards one) into a signed envelope for `subgraph` over the body.
 */
function signingFetcherFor(subgraph: string): Fetcher {
  return (url, init = {}) => {
    const headers = init.headers ?? {};
    const userId = headers[ENVELOPE_HEADERS.userId];
    const role = headers[ENVELOPE_HEADERS.role];
    const identity = userId && role ? { userId, role } : null;
    return sign({ audience: subgraph, identity }, url, { method: 'POST', ...init });
  };
}

class IdentityDataSource extends RemoteGraphQLDataSource<Context> {
  constructor(subgraph: string, url: string) {
    super({ url, fetcher: signingFetcherFor(subgraph) });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>) {
    if (context.userId && context.role) {
      request.http?.headers.set(ENVELOPE_HEADERS.userId, context.userId);
      request.http?.headers.set(ENVELOPE_HEADERS.role, context.role);
    }
  }
}

const server = new ApolloServer<Context>({
  gateway: new ApolloGateway({
    supergraphSdl: readFileSync(String(supergraphFile), 'utf8'),
    buildService: ({ name, url }) => new IdentityDataSource(name, routing[name] ?? url ?? ''),
  }),
});

startStandaloneServer(server, {
  listen: { port: Number(port), host: '127.0.0.1' },
  context: async ({ req }) => {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) return {};
    const claims = jwt.verify(header.slice(7), publicKey, {
      algorithms: ['ES256'],
    }) as jwt.JwtPayload;
    return { userId: String(claims.sub), role: String(claims.role) };
  },
}).then(({ url }) => console.log(`plain gateway at ${url}`));

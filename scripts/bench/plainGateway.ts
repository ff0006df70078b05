import { readFileSync } from 'node:fs';
import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { Fetcher } from '@apollo/utils.fetcher';
import { readSecretFile } from '@fedstack/kit/devSecrets';
import { ENVELOPE_HEADERS } from '@fedstack/kit/envelope';
import jwt from 'jsonwebtoken';
import { createSigningFetcher } from '../../gateway/src/signingFetcher';

/**
 * The benchmark's baseline: `@apollo/gateway` as its documentation sets it up (standalone Apollo
 * Server, default data sources), plus only what this stack's subgraphs require to answer at all:
 * the JWT check and the signed identity envelope. Configured by the benchmark through argv.
 */
interface Context {
  userId?: string;
  role?: string;
}

const [port, supergraphFile, publicKeyFile, secretFile, ...urls] = process.argv.slice(2);
const routing = Object.fromEntries(urls.map((entry) => entry.split('=') as [string, string]));
const publicKey = readSecretFile(String(publicKeyFile));
const fetcher = createSigningFetcher(
  fetch as unknown as Fetcher,
  readSecretFile(String(secretFile)),
);

class IdentityDataSource extends RemoteGraphQLDataSource<Context> {
  constructor(
    private readonly subgraph: string,
    url: string,
  ) {
    super({ url, fetcher });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>) {
    request.http?.headers.set(ENVELOPE_HEADERS.audience, this.subgraph);
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

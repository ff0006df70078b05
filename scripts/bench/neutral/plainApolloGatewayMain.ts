import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/**
 * The neutral bench's baseline: `@apollo/gateway` and `@apollo/server` exactly as Apollo's
 * documentation sets them up (a supergraph SDL and the standalone server), nothing tuned.
 * `plainApolloGatewayMain.ts <port> <supergraph file>`; prints `ready <url>` once listening.
 */
async function main(): Promise<void> {
  const [port, supergraphFile] = process.argv.slice(2);
  const server = new ApolloServer({
    gateway: new ApolloGateway({ supergraphSdl: readFileSync(String(supergraphFile), 'utf8') }),
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(port), host: '127.0.0.1' },
  });
  console.log(`ready ${url}`);
}

main().catch((error: unknown) => {
  console.error(`plain gateway failed: ${(error as Error).message}`);
  process.exit(1);
});

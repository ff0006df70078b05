import { NEUTRAL_SUBGRAPHS } from './neutralSubgraphs';
import { serveNeutralSubgraph } from './serveNeutralSubgraph';

/**
 * Runs one neutral subgraph as its own process: `neutralSubgraphMain.ts <name> <port>`. Prints
 * `ready <url>` once listening; stops on SIGTERM.
 */
async function main(): Promise<void> {
  const [name, port] = process.argv.slice(2);
  const subgraph = NEUTRAL_SUBGRAPHS.find((candidate) => candidate.name === name);
  if (!subgraph) {
    throw new Error(
      `subgraph must be one of ${NEUTRAL_SUBGRAPHS.map((s) => s.name).join(', ')}, got "${name}"`,
    );
  }
  const server = await serveNeutralSubgraph(subgraph, Number(port ?? 0));
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
  console.log(`ready ${server.url}`);
}

main().catch((error: unknown) => {
  console.error(`neutral subgraph failed: ${(error as Error).message}`);
  process.exit(1);
});

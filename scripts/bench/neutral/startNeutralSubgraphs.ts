import { join } from 'node:path';
import { freePort } from '../../freePort';
import { answersTypename } from './answersTypename';
import { NEUTRAL_SUBGRAPHS } from './neutralSubgraphs';
import { startBenchProcess, type BenchProcess } from './startBenchProcess';

/** The four neutral subgraphs, each running as its own process. */
export interface NeutralSubgraphProcesses {
  /** Subgraph name → its GraphQL URL. */
  urls: Record<string, string>;
  processes: BenchProcess[];
}

/**
 * Starts every neutral subgraph as its own process (`neutralSubgraphMain.ts`) on a free loopback
 * port, one after the other; stops those already started if one fails.
 */
export async function startNeutralSubgraphs(root: string): Promise<NeutralSubgraphProcesses> {
  const started: NeutralSubgraphProcesses = { urls: {}, processes: [] };
  try {
    for (const subgraph of NEUTRAL_SUBGRAPHS) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/graphql`;
      started.processes.push(
        await startBenchProcess({
          name: `${subgraph.name} subgraph`,
          args: [
            '--import',
            'tsx',
            join(__dirname, 'neutralSubgraphMain.ts'),
            subgraph.name,
            String(port),
          ],
          cwd: root,
          env: {},
          ready: () => answersTypename(url),
        }),
      );
      started.urls[subgraph.name] = url;
    }
  } catch (error) {
    await Promise.all(started.processes.map((child) => child.stop()));
    throw error;
  }
  return started;
}

import { join } from 'node:path';
import { freePort } from '../../freePort';
import { answersTypename } from './answersTypename';
import { startBenchProcess, type BenchProcess } from './startBenchProcess';

/** The transport floor (`transportFloorMain.ts`), running as its own process. */
export interface RunningFloor {
  key: 'floor';
  url: string;
  process: BenchProcess;
}

/** Starts the transport floor over the neutral subgraphs (`urls` by subgraph name). */
export async function startTransportFloor(
  root: string,
  urls: Record<string, string>,
): Promise<RunningFloor> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const started = await startBenchProcess({
    name: 'transport floor',
    args: [
      '--import',
      'tsx',
      join(__dirname, 'transportFloorMain.ts'),
      String(port),
      ...['accounts', 'reviews', 'products', 'inventory'].map((name) => {
        const subgraphUrl = urls[name];
        if (!subgraphUrl) throw new Error(`no URL for the ${name} subgraph`);
        return subgraphUrl;
      }),
    ],
    cwd: root,
    env: {},
    ready: () => answersTypename(url),
  });
  return { key: 'floor', url, process: started };
}

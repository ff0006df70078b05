import { dirname, join } from 'node:path';
import { freePort } from '../../freePort';
import { answersTypename } from './answersTypename';
import { startBenchProcess, type BenchProcess } from './startBenchProcess';

/** Which gateway: the key is what `BENCH_GATEWAYS` lists. */
export type GatewayKey = 'apollo' | 'hive' | 'hive-router' | 'fedstack';

/** A gateway under test, running as its own process. */
export interface RunningGateway {
  key: GatewayKey;
  label: string;
  /** Its GraphQL endpoint. */
  url: string;
  process: BenchProcess;
}

/** What every gateway is started with. */
export interface GatewayStartContext {
  root: string;
  supergraphFile: string;
  /** A temporary folder the bench removes afterwards. */
  workDir: string;
}

/**
 * The operation limits this gateway is started with in the bench: its defaults (cost 50,000,
 * 2,000 tokens) refuse the heavy query, as they should for a public API; the other gateways
 * enforce none by default.
 */
export const BENCH_GATEWAY_LIMITS: Record<string, string> = {
  MAX_DEPTH: '20',
  MAX_TOKENS: '10000',
  MAX_ALIASES: '100',
  MAX_ROOT_FIELDS: '100',
  MAX_DIRECTIVES: '100',
  MAX_COST: '1000000000',
  COST_DEFAULT_LIST_SIZE: '10',
  MAX_ENTITY_REPRESENTATIONS: '10000',
};

export const GATEWAY_LABELS: Record<GatewayKey, string> = {
  apollo: 'plain @apollo/gateway',
  hive: 'Hive Gateway',
  'hive-router': 'Hive Gateway + router-runtime',
  fedstack: 'this gateway',
};

function hiveGatewayBin(): string {
  return join(dirname(require.resolve('@graphql-hive/gateway/package.json')), 'dist', 'bin.js');
}

/**
 * Starts one gateway over the bench supergraph:
 * - `apollo`: `plainApolloGatewayMain.ts` (Apollo's documented standalone set-up);
 * - `hive` / `hive-router`: the `hive-gateway` CLI from node_modules (`supergraph <file>`, defaults;
 *   `--hive-router-runtime` for the Rust query planner);
 * - `fedstack`: `node --import tsx gateway/src/main.ts`, as `npm run gateway` runs it, with
 *   `SUPERGRAPH_FILE`, no revocation feed, development keys in a temporary `DATA_DIR`,
 *   `LOG_LEVEL=warn` and `BENCH_GATEWAY_LIMITS`; with `BENCH_GATEWAY_CPU_PROF` set, it writes a CPU
 *   profile into that folder when it stops.
 */
export async function startNeutralGateway(
  key: GatewayKey,
  context: GatewayStartContext,
): Promise<RunningGateway> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let url: string;
  let args: string[];
  let env: NodeJS.ProcessEnv = {};
  let cwd = context.root;
  switch (key) {
    case 'apollo':
      url = `${origin}/`;
      args = [
        '--import',
        'tsx',
        join(__dirname, 'plainApolloGatewayMain.ts'),
        String(port),
        context.supergraphFile,
      ];
      break;
    case 'hive':
    case 'hive-router':
      url = `${origin}/graphql`;
      args = [
        hiveGatewayBin(),
        'supergraph',
        context.supergraphFile,
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        ...(key === 'hive-router' ? ['--hive-router-runtime'] : []),
      ];
      // Its own folder, so that no configuration file is picked up from the working directory.
      cwd = context.workDir;
      break;
    case 'fedstack':
      url = `${origin}/graphql`;
      args = [
        ...(process.env.BENCH_GATEWAY_CPU_PROF
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_GATEWAY_CPU_PROF}`]
          : []),
        '--import',
        'tsx',
        'gateway/src/main.ts',
      ];
      env = {
        GATEWAY_PORT: String(port),
        SUPERGRAPH_FILE: context.supergraphFile,
        TOKEN_REVOCATION_SUBGRAPH: 'none',
        DATA_DIR: join(context.workDir, 'fedstack-data'),
        LOG_LEVEL: 'warn',
        ...BENCH_GATEWAY_LIMITS,
      };
      break;
  }
  const started = await startBenchProcess({
    name: GATEWAY_LABELS[key],
    args,
    cwd,
    env,
    ready: () => answersTypename(url),
  });
  return { key, label: GATEWAY_LABELS[key], url, process: started };
}

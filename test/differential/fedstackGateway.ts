import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@fedstack/runtime/logger';
import { readGatewayConfig } from '@fedstack/gateway/config';
import { createGatewayServer } from '@fedstack/gateway/server';
import type { GatewayFactory } from './types';

/**
 * The settings every fedstack gateway of the differential test runs with: no revocation feed (the
 * fixtures have no users subgraph), no retry (a down subgraph fails at once, as in stock
 * @apollo/gateway), and operation limits high enough for every fixture operation.
 */
const BASE_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  TOKEN_REVOCATION_SUBGRAPH: 'none',
  SUBGRAPH_QUERY_RETRIES: '0',
  MAX_DEPTH: '100',
  MAX_ALIASES: '1000',
  MAX_ROOT_FIELDS: '1000',
  MAX_COST: '1000000000',
  LOG_LEVEL: 'silent',
};

/**
 * This gateway, as `npm run gateway` builds it (`createGatewayServer(readGatewayConfig(env))`),
 * over the fixture's supergraph written to a temporary file, with `env` on top of the base
 * settings. Its temporary folder is removed when it stops.
 */
export function fedstackGateway(env: Record<string, string> = {}): GatewayFactory {
  const settings = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  return {
    name: settings.length > 0 ? `fedstack gateway (${settings.join(' ')})` : 'fedstack gateway',
    async start(supergraphSdl) {
      const dir = mkdtempSync(join(tmpdir(), 'differential-'));
      try {
        const supergraphFile = join(dir, 'supergraph.graphql');
        writeFileSync(supergraphFile, supergraphSdl);
        const config = readGatewayConfig({
          ...BASE_ENV,
          SUPERGRAPH_FILE: supergraphFile,
          DATA_DIR: join(dir, 'data'),
          ...env,
        });
        const server = await createGatewayServer(config, {
          logger: createLogger({ service: 'gateway', level: 'silent', format: 'json' }),
        });
        const port = await server.listen(0, '127.0.0.1');
        return {
          url: `http://127.0.0.1:${port}/graphql`,
          async stop() {
            await server.stop();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    },
  };
}

/**
 * Whether this gateway has the `GATEWAY_EXECUTOR` setting: its configuration then refuses an
 * unknown executor, naming the variable. Until then the variable is ignored. Read against the
 * repository's own supergraph.
 */
export function hasExecutorSetting(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'differential-'));
  try {
    readGatewayConfig({
      ...BASE_ENV,
      SUPERGRAPH_FILE: join(__dirname, '../../supergraph.graphql'),
      DATA_DIR: join(dir, 'data'),
      GATEWAY_EXECUTOR: 'no-such-executor',
    });
    return false;
  } catch (error) {
    return (error as Error).message.includes('GATEWAY_EXECUTOR');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

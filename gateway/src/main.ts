import cluster from 'node:cluster';
import { createLogger } from '@fedstack/runtime/logger';
import { runService } from '@fedstack/runtime/runService';
import { startClusterPrimary } from './clusterPrimary';
import { readGatewayConfig } from './config';

runService('gateway', async () => {
  const config = readGatewayConfig();
  const base = createLogger({
    service: 'gateway',
    level: config.logLevel,
    format: config.logFormat,
  });
  // With GATEWAY_WORKERS above 1 this process only forks and watches the workers, which run
  // this same program and serve the port together.
  if (config.workers > 1 && cluster.isPrimary) {
    return startClusterPrimary({ workers: config.workers, logger: base });
  }
  const logger = cluster.worker ? base.child({ worker: cluster.worker.id }) : base;
  // Loaded here, so that a cluster primary does not hold Apollo and the gateway in its memory.
  const { createGatewayServer } = await import('./server.js');
  const server = await createGatewayServer(config, { logger });
  const port = await server.listen(config.port);
  logger.info(
    { port, supergraph: config.supergraphFile },
    `gateway ready at http://localhost:${port}/graphql`,
  );
  return { port, stop: () => server.stop() };
});

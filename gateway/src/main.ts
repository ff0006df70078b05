import { createLogger } from '@fedstack/kit/logger';
import { runService } from '@fedstack/kit/runService';
import { readGatewayConfig } from './config';
import { createGatewayServer } from './server';

runService('gateway', async () => {
  const config = readGatewayConfig();
  const logger = createLogger({
    service: 'gateway',
    level: config.logLevel,
    format: config.logFormat,
  });
  const server = await createGatewayServer(config, { logger });
  const port = await server.listen(config.port);
  logger.info(
    { port, supergraph: config.supergraphFile },
    `gateway ready at http://localhost:${port}/graphql`,
  );
  return { port, stop: () => server.stop() };
});

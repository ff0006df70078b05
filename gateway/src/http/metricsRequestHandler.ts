import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@fedstack/runtime/logger';
import { metricsResponder } from './metricsResponder';
import { sendError } from '@fedstack/runtime/http/sendError';
import { ErrorCode } from '@fedstack/runtime/errors';

/**
 * The handler of the separate metrics port (`METRICS_PORT`): `GET /metrics` and nothing else
 * (a JSON 404).
 */
export function metricsRequestHandler(
  logger: Logger,
): (req: IncomingMessage, res: ServerResponse) => void {
  const sendMetrics = metricsResponder();
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/metrics') {
      sendMetrics(res).catch((error: unknown) => {
        logger.error({ err: error }, 'unexpected error serving metrics');
        if (!res.headersSent) {
          sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
        } else {
          res.destroy();
        }
      });
      return;
    }
    sendError(res, 404, ErrorCode.NOT_FOUND, 'Not found');
  };
}

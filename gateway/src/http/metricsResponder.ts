import type { ServerResponse } from 'node:http';
import { collectProcessMetrics, metricsRegistry } from '@fedstack/runtime/metrics';

/**
 * Returns the function that answers `GET /metrics` in the Prometheus text format, never cached;
 * process metrics are collected from the first call of this factory on.
 */
export function metricsResponder(): (
  res: ServerResponse,
  headers?: Readonly<Record<string, string>>,
) => Promise<void> {
  collectProcessMetrics();
  return async (res, headers = {}) => {
    const text = await metricsRegistry.metrics();
    res.writeHead(200, {
      ...headers,
      'content-type': metricsRegistry.contentType,
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
    });
    res.end(text);
  };
}

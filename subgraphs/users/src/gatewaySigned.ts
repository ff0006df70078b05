import type { Request, Response } from 'express';
import { verifyEnvelope, type Logger, type SubgraphBaseConfig } from '@fedstack/kit';

/** Answers `status` with a GraphQL-shaped JSON error, as the service's other refusals are. */
export function refuse(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * Whether `req` carries the gateway's valid signature for this service over `method` and `body`
 * (the exact bytes read). If not, it is refused with HTTP 401 `UNAUTHENTICATED` and logged as an
 * unsigned `what`: the internal routes beside `/graphql` answer the gateway only.
 */
export function signedByGateway(
  deps: { config: SubgraphBaseConfig; logger: Logger },
  req: Request,
  res: Response,
  signed: { method: string; body: string | Buffer; what: string },
): boolean {
  const { config, logger } = deps;
  const envelope = verifyEnvelope(config.signingSecret, {
    audience: config.service,
    headers: req.headers,
    method: signed.method,
    body: signed.body,
    maxAgeMs: config.signatureMaxAgeMs,
  });
  if (envelope.ok) return true;
  logger.warn({ reason: envelope.reason, ip: req.ip }, `refused unsigned ${signed.what}`);
  refuse(res, 401, 'UNAUTHENTICATED', `Unauthenticated: ${envelope.reason}`);
  return false;
}

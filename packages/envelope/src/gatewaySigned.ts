import type { IncomingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';
import type { Logger } from '@fedstack/runtime/logger';
import { verifyEnvelope, type EnvelopeSecret, type VerifyResult } from './envelope';
import { ErrorCode } from '@fedstack/runtime/errors';

/** What a subgraph needs to check the gateway's signature on a request addressed to it. */
export interface SignatureSettings {
  /** The subgraph's own name: a signature for any other audience is refused. */
  service: string;
  signingSecret: EnvelopeSecret;
  signatureMaxAgeMs: number;
}

/**
 * The subgraph half of the scheme: whether `headers` carry the gateway's signature for this
 * subgraph over `method` and the exact `body` bytes, and the caller it names.
 */
export function verifyGatewayRequest(
  settings: SignatureSettings,
  request: { headers: IncomingHttpHeaders; method: string; body: string | Buffer },
): VerifyResult {
  return verifyEnvelope(settings.signingSecret, {
    audience: settings.service,
    headers: request.headers,
    method: request.method,
    body: request.body,
    maxAgeMs: settings.signatureMaxAgeMs,
  });
}

/** Answers `status` with a GraphQL-shaped JSON error, as the service's other refusals are. */
export function refuse(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * Whether `req` carries the gateway's valid signature for this service over `method` and `body`
 * (the exact bytes read). If not, it is refused with HTTP 401 `UNAUTHENTICATED` and logged as an
 * unsigned `what`: a subgraph's routes beside `/graphql` answer the gateway only.
 */
export function signedByGateway(
  deps: { config: SignatureSettings; logger: Logger },
  req: Request,
  res: Response,
  signed: { method: string; body: string | Buffer; what: string },
): boolean {
  const envelope = verifyGatewayRequest(deps.config, { headers: req.headers, ...signed });
  if (envelope.ok) return true;
  deps.logger.warn({ reason: envelope.reason, ip: req.ip }, `refused unsigned ${signed.what}`);
  refuse(res, 401, ErrorCode.UNAUTHENTICATED, `Unauthenticated: ${envelope.reason}`);
  return false;
}

import type { RequestHandler } from 'express';
import type { Logger, SubgraphBaseConfig } from '@fedstack/kit';
import type { Revocations } from './auth/revocations';
import { refuse, signedByGateway } from '@fedstack/envelope/gatewaySigned';
import { ErrorCode } from '@fedstack/runtime/errors';

/** The most entries one answer holds; a gateway asks again from the last one's `createdAt`. */
export const REVOCATION_PAGE_SIZE = 1000;
const PRUNE_INTERVAL_MS = 60_000;

/**
 * `GET /revocations?since=<ms>`: the revocation feed that gateways follow, for gateway-signed
 * requests only (the envelope over method `GET` and an empty body). Answers
 * `{ now, revocations }`: the entries made at or after `since` (milliseconds since the epoch;
 * default 0, everything) that can still refuse a token, oldest first, at most
 * `REVOCATION_PAGE_SIZE`. Entries past their use are deleted now and then.
 */
export function revocationFeedHandler(deps: {
  config: SubgraphBaseConfig;
  revocations: Revocations;
  logger: Logger;
}): RequestHandler {
  const { revocations, logger } = deps;
  let lastPrune = Date.now();
  return async (req, res) => {
    if (
      !signedByGateway(deps, req, res, { method: 'GET', body: '', what: 'revocation feed request' })
    ) {
      return;
    }
    const raw = req.query.since ?? '0';
    if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw)) {
      res.status(400).json({
        errors: [
          {
            message: 'since: must be milliseconds since the epoch',
            extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'since' },
          },
        ],
      });
      return;
    }
    const now = Date.now();
    try {
      const entries = await revocations.since(new Date(Number(raw)), REVOCATION_PAGE_SIZE);
      res.setHeader('cache-control', 'no-store');
      res.json({ now, revocations: entries });
    } catch (error) {
      logger.error({ err: error }, 'revocation feed failed');
      refuse(res, 503, ErrorCode.UNAVAILABLE, 'Revocation feed unavailable');
      return;
    }
    if (now - lastPrune >= PRUNE_INTERVAL_MS) {
      lastPrune = now;
      // One statement, outside the write queue: it touches only entries nobody reads any more.
      revocations.prune().catch((error: unknown) => {
        logger.warn({ err: error }, 'pruning the revocation feed failed');
      });
    }
  };
}

import type { Identity } from '@fedstack/envelope/envelope';
import type { Logger } from '@fedstack/runtime/logger';

/** The per-request context: who is calling (null when anonymous) and how to trace the request. */
export interface GatewayContext {
  identity: Identity | null;
  /** The end client's IP address (see `TRUST_PROXY`); undefined when unknown. */
  clientAddress: string | undefined;
  requestId: string;
  logger: Logger;
}

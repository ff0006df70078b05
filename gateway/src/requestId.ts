import type { IncomingMessage } from 'node:http';
import { requestIdOf } from '@fedstack/runtime/requestId';

/**
 * The request's id: its `x-request-id` header when that is plain and at most 128 characters
 * (letters, digits, `.`, `_`, `:`, `-`; it ends up in logs and headers), else a new UUID. The
 * gateway returns it in the response's `x-request-id` header and forwards it to subgraphs.
 */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return requestIdOf(typeof given === 'string' ? given : undefined);
}

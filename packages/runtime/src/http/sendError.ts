import type { ErrorCode } from '../errors';
import type { ServerResponse } from 'node:http';
import { sendJson } from './sendJson';

/**
 * Answers `status` with a GraphQL-shaped JSON error: `{ errors: [{ message, extensions: { code,
 * detail } }] }`, `detail` only when given.
 */
export function sendError(
  res: ServerResponse,
  status: number,
  code: ErrorCode,
  message: string,
  headers: Readonly<Record<string, string>> = {},
  detail?: string,
): void {
  const extensions = detail === undefined ? { code } : { code, detail };
  sendJson(res, status, { errors: [{ message, extensions }] }, headers);
}

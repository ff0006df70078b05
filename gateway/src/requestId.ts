import { requestIdOf } from '@fedstack/kit/requestId';
import type { NextFunction, Request, Response } from 'express';

/**
 * Express middleware: takes the `x-request-id` header when it is plain and at most 128 characters
 * (letters, digits, `.`, `_`, `:`, `-`; it ends up in logs and headers) or creates a UUID, stores
 * it in `res.locals.requestId` and returns it in the response's `x-request-id` header.
 */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const id = requestIdOf(req.header('x-request-id'));
  res.locals.requestId = id;
  res.setHeader('x-request-id', id);
  next();
}

import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** A client-chosen id is kept only if it is short and plain, as it ends up in logs and headers. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Express middleware: takes the `x-request-id` header or creates one, stores it in
 * `res.locals.requestId` and returns it in the response's `x-request-id` header.
 */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.header('x-request-id');
  const id = given !== undefined && ACCEPTED_ID.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.setHeader('x-request-id', id);
  next();
}

import type { ErrorRequestHandler } from 'express';
import type { Logger } from './logger';
import { ErrorCode } from './errors';

interface HttpError {
  status?: number;
  type?: string;
  limit?: number;
}

/**
 * The last Express middleware of every service, the gateway's and each subgraph's: what fails
 * before Apollo Server sees a request (a body over the limit, unparsable JSON, an unsupported
 * encoding) is answered as a GraphQL-shaped JSON error with the matching HTTP status, instead of
 * Express's HTML page with a stack trace.
 */
export function httpErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { status, type, limit } = (error ?? {}) as HttpError;
    let answer: { status: number; code: string; message: string };
    if (type === 'entity.too.large') {
      answer = {
        status: 413,
        code: ErrorCode.PAYLOAD_TOO_LARGE,
        message: `Request body is larger than the limit of ${limit} bytes`,
      };
    } else if (type === 'entity.parse.failed') {
      answer = {
        status: 400,
        code: ErrorCode.BAD_REQUEST,
        message: 'Request body is not valid JSON',
      };
    } else if (typeof status === 'number' && status >= 400 && status < 500) {
      answer = { status, code: ErrorCode.BAD_REQUEST, message: 'Request cannot be read' };
    } else {
      logger.error({ err: error }, 'unexpected error handling an HTTP request');
      answer = {
        status: 500,
        code: ErrorCode.INTERNAL_SERVER_ERROR,
        message: 'Internal server error',
      };
    }
    res.status(answer.status).json({
      errors: [{ message: answer.message, extensions: { code: answer.code } }],
    });
  };
}

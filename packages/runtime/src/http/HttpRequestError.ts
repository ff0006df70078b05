import type { ErrorCode } from '../errors';
/**
 * A request refused before Apollo Server sees it (a body over the limit, unparsable JSON, an
 * encoding or charset it cannot read), answered as a GraphQL-shaped JSON error with `status`.
 */
export class HttpRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** What exactly could not be read (the JSON parser's own message), for the client. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'HttpRequestError';
  }
}

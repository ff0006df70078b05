import type { IncomingHttpHeaders } from 'node:http';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { request, type Dispatcher } from 'undici';

/** The subgraph did not answer within its deadline. */
export class SubgraphTimeoutError extends Error {
  override name = 'SubgraphTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
  }
}

/** A subgraph fetch refused by one of the gateway's own limits; the message is safe for clients. */
export class SubgraphLimitError extends Error {
  override name = 'SubgraphLimitError';
}

/** The subgraph's answer was longer than the gateway takes. */
export class SubgraphResponseTooLargeError extends SubgraphLimitError {
  override name = 'SubgraphResponseTooLargeError';

  constructor(readonly limitBytes: number) {
    super(`answer larger than the limit of ${limitBytes} bytes`);
  }
}

export interface SubgraphFetcherOptions {
  /** Connection pool to use; share one keep-alive `Agent` between all subgraphs. */
  dispatcher: Dispatcher;
  /** Deadline for the whole exchange, from sending to the last byte of the answer. */
  timeoutMs: number;
  /** Longest answer body taken, in bytes; a longer one is dropped. Default: no limit. */
  maxResponseBytes?: number;
}

function headersFrom(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

/** A response whose body is already in memory, so reading it can never outlive the deadline. */
function bufferedResponse(
  url: string,
  status: number,
  statusText: string,
  headers: Headers,
  body: Buffer,
): FetcherResponse {
  let bodyUsed = false;
  const take = () => {
    if (bodyUsed) throw new TypeError('Body has already been consumed');
    bodyUsed = true;
    return body;
  };
  return {
    get bodyUsed() {
      return bodyUsed;
    },
    url,
    redirected: false,
    status,
    ok: status >= 200 && status < 300,
    statusText,
    headers,
    async arrayBuffer() {
      const bytes = take();
      return bytes.buffer.slice(
        bytes.byteOffset,
        bytes.byteOffset + bytes.byteLength,
      ) as ArrayBuffer;
    },
    async text() {
      return take().toString('utf8');
    },
    async json() {
      return JSON.parse(take().toString('utf8')) as unknown;
    },
    clone() {
      return bufferedResponse(url, status, statusText, headers, body);
    },
  };
}

/**
 * Reads a body into memory, stopping (and dropping the connection) as soon as it is longer than
 * `limit`, so an oversized answer costs at most `limit` bytes of memory.
 */
async function readBody(
  body: Dispatcher.ResponseData['body'],
  contentLength: string | string[] | undefined,
  limit: number,
): Promise<Buffer> {
  if (Number(contentLength) > limit) {
    body.destroy();
    throw new SubgraphResponseTooLargeError(limit);
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += (chunk as Buffer).length;
    if (length > limit) {
      body.destroy();
      throw new SubgraphResponseTooLargeError(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, length);
}

/**
 * A `Fetcher` (the HTTP client `RemoteGraphQLDataSource` takes) on undici's pooled keep-alive
 * connections. Redirects are not followed. Each exchange, body included, must finish within
 * `timeoutMs`, else it fails with a `SubgraphTimeoutError`; an answer over `maxResponseBytes`
 * fails with a `SubgraphResponseTooLargeError`. Either way the request is aborted, so the
 * subgraph sees its connection close.
 */
export function createSubgraphFetcher(options: SubgraphFetcherOptions): Fetcher {
  const { dispatcher, timeoutMs } = options;
  const maxResponseBytes = options.maxResponseBytes ?? Infinity;
  return async (url, init = {}) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await request(url, {
        dispatcher,
        method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: init.headers ?? {},
        body: init.body ?? null,
        signal: controller.signal,
      });
      const body = await readBody(
        response.body,
        response.headers['content-length'],
        maxResponseBytes,
      );
      return bufferedResponse(
        url,
        response.statusCode,
        response.statusText,
        headersFrom(response.headers),
        body,
      );
    } catch (error) {
      if (error instanceof SubgraphResponseTooLargeError) {
        controller.abort();
        throw error;
      }
      if (controller.signal.aborted) throw new SubgraphTimeoutError(timeoutMs);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}

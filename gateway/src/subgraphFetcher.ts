import type { IncomingHttpHeaders } from 'node:http';
import type { Fetcher, FetcherHeaders, FetcherResponse } from '@apollo/utils.fetcher';
import type { Dispatcher } from 'undici';
import { createDeadlines, type Deadline } from './subgraphDeadlines';

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

/**
 * An answer's headers as undici parsed them (lower-case names), read-only, behind the small
 * `Headers` interface the fetcher contract asks for: no WHATWG `Headers` is built per answer.
 * Repeated headers read as one value joined by `, `, as `Headers.get` gives them.
 */
class AnswerHeaders implements FetcherHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  append(): void {
    throw new TypeError('the headers of a subgraph answer are read-only');
  }

  delete(): void {
    throw new TypeError('the headers of a subgraph answer are read-only');
  }

  set(): void {
    throw new TypeError('the headers of a subgraph answer are read-only');
  }
}

/** A response whose body is already in memory, so reading it can never outlive the deadline. */
class BufferedResponse implements FetcherResponse {
  readonly redirected = false;
  private used = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: FetcherHeaders,
    private readonly body: Buffer,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  private take(): Buffer {
    if (this.used) throw new TypeError('Body has already been consumed');
    this.used = true;
    return this.body;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return this.take().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.take().toString('utf8')) as unknown;
  }

  clone(): FetcherResponse {
    return new BufferedResponse(this.url, this.status, this.statusText, this.headers, this.body);
  }
}

/** Where a URL sends a request, split once per URL: subgraph URLs are few and reused. */
interface Target {
  origin: string;
  path: string;
}

/**
 * One exchange with a subgraph, as an undici dispatch handler: the answer's chunks are gathered
 * as they come (no stream object per answer), the byte limit is checked on the way, and the
 * deadline settles it from outside.
 */
class Exchange implements Dispatcher.DispatchHandler, Deadline {
  deadline = 0;
  settled = false;
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private statusText = '';
  private headers: IncomingHttpHeaders = {};
  private chunks: Buffer[] = [];
  private length = 0;

  constructor(
    private readonly url: string,
    private readonly maxResponseBytes: number,
    private readonly timeoutMs: number,
    private readonly resolve: (response: FetcherResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // The deadline passed while the request waited for a connection.
    if (this.settled) controller.abort(new SubgraphTimeoutError(this.timeoutMs));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    if (statusCode < 200) return;
    if (Number(headers['content-length']) > this.maxResponseBytes) {
      this.fail(new SubgraphResponseTooLargeError(this.maxResponseBytes));
      return;
    }
    this.status = statusCode;
    this.statusText = statusMessage ?? '';
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.length += chunk.length;
    if (this.length > this.maxResponseBytes) {
      this.fail(new SubgraphResponseTooLargeError(this.maxResponseBytes));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    const { chunks } = this;
    // One chunk is the answer as it is; several are joined once.
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.length);
    this.chunks = [];
    this.resolve(
      new BufferedResponse(
        this.url,
        this.status,
        this.statusText,
        new AnswerHeaders(this.headers),
        body,
      ),
    );
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.chunks = [];
    this.reject(error);
  }

  /** The deadline passed: the exchange fails now, and the connection is dropped. */
  expire(): void {
    this.fail(new SubgraphTimeoutError(this.timeoutMs));
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.chunks = [];
    this.reject(error);
    this.controller?.abort(error);
  }
}

/**
 * A `Fetcher` (the HTTP client `RemoteGraphQLDataSource` takes) on undici's pooled keep-alive
 * connections, dispatching directly (no stream, `AbortController` or timer per request).
 * Redirects are not followed. Each exchange, body included, must finish within `timeoutMs`, else
 * it fails with a `SubgraphTimeoutError`; an answer over `maxResponseBytes` fails with a
 * `SubgraphResponseTooLargeError`. Either way the request is aborted, so the subgraph sees its
 * connection close. All requests of one fetcher share one deadline timer.
 */
export function createSubgraphFetcher(options: SubgraphFetcherOptions): Fetcher {
  const { dispatcher, timeoutMs } = options;
  const maxResponseBytes = options.maxResponseBytes ?? Infinity;
  const deadlines = createDeadlines(timeoutMs);
  const targets = new Map<string, Target>();
  const targetOf = (url: string): Target => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      if (targets.size < 1000) targets.set(url, target);
    }
    return target;
  };
  return (url, init = {}) =>
    new Promise<FetcherResponse>((resolve, reject) => {
      const { origin, path } = targetOf(url);
      const exchange = new Exchange(url, maxResponseBytes, timeoutMs, resolve, reject);
      deadlines.add(exchange);
      dispatcher.dispatch(
        {
          origin,
          path,
          method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
          headers: init.headers ?? {},
          body: init.body ?? null,
        },
        exchange,
      );
    });
}

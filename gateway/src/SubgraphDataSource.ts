import type { KeyObject } from 'node:crypto';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { callerTextOf, signEnvelope } from '@fedstack/envelope/envelope';
import type { Logger } from '@fedstack/runtime/logger';
import { GraphQLError } from 'graphql';
import { createDedupInFlight, type DedupInFlight } from './dedupInFlight';
import type { GatewayContext } from './GatewayContext';
import { failureReason, isConnectionFailure, subgraphFailure } from './subgraphFailure';
import { SubgraphLimitError } from './subgraphFetcher';
import {
  subgraphFetchDuration,
  subgraphFetchErrors,
  subgraphFetchesShared,
  subgraphRetries,
} from './gatewayMetrics';
import { ErrorCode } from '@fedstack/runtime/errors';

/** Whether a subgraph operation (as the query planner wrote it) is a mutation. */
function isMutation(query: string): boolean {
  return /^\s*mutation\b/.test(query);
}

function isJson(contentType: string | null): boolean {
  return (
    contentType !== null &&
    (contentType.startsWith('application/json') ||
      contentType.startsWith('application/graphql-response+json'))
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']>>;

/** A subgraph's answer: its text, which waiters share, and the parse of it its first reader owns. */
interface Answer {
  text: string;
  parsed: SubgraphResponse;
}

/** What `RemoteGraphQLDataSource` makes of a non-2xx answer, so errors read as they always did. */
async function errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
  const text = await response.text();
  const body: unknown = isJson(response.headers.get('content-type')) ? JSON.parse(text) : text;
  return new GraphQLError(`${response.status}: ${response.statusText}`, {
    extensions: {
      response: {
        url: response.url,
        status: response.status,
        statusText: response.statusText,
        body,
      },
      ...(response.status === 401 ? { code: ErrorCode.UNAUTHENTICATED } : {}),
      ...(response.status === 403 ? { code: ErrorCode.FORBIDDEN } : {}),
    },
  });
}

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  /** The HTTP client (`createSubgraphFetcher`); this data source signs what it sends through it. */
  fetcher: Fetcher;
  /** The envelope's shared secret, imported once (`envelopeKey`). */
  signingKey: KeyObject;
  logger: Logger;
  /**
   * How many times a query is sent again after a connection failure (refused, reset, closed before
   * an answer); default 0. Mutations are never sent twice: a lost answer does not mean it did not run.
   */
  queryRetries?: number;
  /**
   * Entity representations one `_entities` fetch may carry; a fetch with more is not sent and
   * fails naming the subgraph. Default: no limit.
   */
  maxRepresentations?: number;
  /**
   * Send a query once while the same caller's identical query to this subgraph is in flight, and
   * answer every waiter from it; default true. Mutations are never shared.
   */
  dedup?: boolean;
}

/**
 * One subgraph as the gateway calls it. Nothing from the client's request is forwarded: each
 * subgraph request carries only its body, the request id and the envelope, signed here from the
 * typed context (the caller's verified identity and address) for this one subgraph. A request
 * that fails as a whole becomes an error naming the subgraph, so the rest of the plan still runs.
 *
 * It replaces `RemoteGraphQLDataSource.process` with a lean path: no WHATWG `Headers` or `Request`
 * per call, no cache-control parsing (subgraph `Cache-Control` headers are not honoured; this
 * gateway sets no HTTP cache policy from them), and, with `dedup`, one subgraph request for
 * identical queries of one caller in flight together. Each waiter gets its own parse of the shared
 * answer text, since @apollo/gateway writes into the results it merges.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly serviceName: string;
  private readonly transport: Fetcher;
  private readonly signingKey: KeyObject;
  private readonly log: Logger;
  private readonly queryRetries: number;
  private readonly maxRepresentations: number;
  private readonly inFlight: DedupInFlight | undefined;

  constructor(options: SubgraphDataSourceOptions) {
    super({
      url: options.url,
      fetcher: options.fetcher,
      honorSubgraphCacheControlHeader: false,
    });
    this.serviceName = options.name;
    this.transport = options.fetcher;
    this.signingKey = options.signingKey;
    this.log = options.logger;
    this.queryRetries = options.queryRetries ?? 0;
    this.maxRepresentations = options.maxRepresentations ?? Infinity;
    this.inFlight = (options.dedup ?? true) ? createDedupInFlight() : undefined;
  }

  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<SubgraphResponse> {
    // Health checks and schema loads run with an empty context: they are anonymous.
    const context = options.context as Partial<GatewayContext>;
    const { request } = options;
    const logger = context.logger ?? this.log;
    if (!request.query) throw new Error('Missing query');
    const representations = request.variables?.representations;
    if (Array.isArray(representations) && representations.length > this.maxRepresentations) {
      const failure = subgraphFailure(
        this.serviceName,
        new SubgraphLimitError(
          `${representations.length} entities in one fetch, over the limit of ${this.maxRepresentations}`,
        ),
      );
      logger.warn({ subgraph: this.serviceName }, failure.message);
      throw failure;
    }
    // The body as RemoteGraphQLDataSource writes it (`extensions` only when set).
    const body = JSON.stringify({
      query: request.query,
      variables: request.variables,
      operationName: request.operationName,
      extensions: request.extensions,
    });
    // Headers the query plan executor added (the `ftv1` trace request), if any.
    const headers = request.http?.headers;
    const extraHeaders = headers && !headers.keys().next().done ? headers : undefined;
    const mutation = isMutation(request.query);
    try {
      if (!this.inFlight || mutation || extraHeaders) {
        return (await this.send(body, context, mutation, extraHeaders)).parsed;
      }
      const joined = this.inFlight.join(callerTextOf(context.identity), body, () =>
        this.send(body, context, mutation),
      );
      if (!joined.shared) return (await joined.outcome).parsed;
      subgraphFetchesShared.inc({ subgraph: this.serviceName });
      return JSON.parse((await joined.outcome).text) as SubgraphResponse;
    } catch (error) {
      const failure = subgraphFailure(this.serviceName, error);
      logger.warn({ err: error, subgraph: this.serviceName }, failure.message);
      throw failure;
    }
  }

  /** Sends the request (again after a connection failure, for a query), with its metrics. */
  private async send(
    body: string,
    context: Partial<GatewayContext>,
    mutation: boolean,
    extraHeaders?: Iterable<[string, string]>,
  ): Promise<Answer> {
    for (let attempt = 0; ; attempt += 1) {
      const stopTimer = subgraphFetchDuration.startTimer({ subgraph: this.serviceName });
      try {
        const answer = await this.exchange(body, context, extraHeaders);
        stopTimer({ outcome: 'success' });
        return answer;
      } catch (error) {
        stopTimer({ outcome: 'error' });
        subgraphFetchErrors.inc({ subgraph: this.serviceName, reason: failureReason(error) });
        if (!mutation && attempt < this.queryRetries && isConnectionFailure(error)) {
          subgraphRetries.inc({ subgraph: this.serviceName });
          (context.logger ?? this.log).info(
            { subgraph: this.serviceName, reason: failureReason(error) },
            'retrying subgraph query after a connection failure',
          );
          continue;
        }
        throw error;
      }
    }
  }

  /** One signed request and its answer, read and parsed as `RemoteGraphQLDataSource` would. */
  private async exchange(
    body: string,
    context: Partial<GatewayContext>,
    extraHeaders: Iterable<[string, string]> | undefined,
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (extraHeaders) for (const [name, value] of extraHeaders) headers[name] = value;
    headers['content-type'] = 'application/json';
    if (context.requestId) headers['x-request-id'] = context.requestId;
    Object.assign(
      headers,
      signEnvelope(this.signingKey, {
        audience: this.serviceName,
        identity: context.identity ?? null,
        clientAddress: context.clientAddress,
        method: 'POST',
        body,
      }),
    );
    const response = await this.transport(this.url, { method: 'POST', headers, body });
    if (!response.ok) throw await errorFromResponse(response);
    const json = isJson(response.headers.get('content-type'));
    const text = await response.text();
    const parsed: unknown = json ? JSON.parse(text) : text;
    if (!isObject(parsed)) {
      throw new Error(`Expected JSON response body, but received: ${String(parsed)}`);
    }
    return { text, parsed: parsed as SubgraphResponse };
  }
}

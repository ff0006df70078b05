import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { ENVELOPE_HEADERS } from '@fedstack/kit/envelope';
import type { Logger } from '@fedstack/kit/logger';
import type { GatewayContext } from './GatewayContext';
import { failureReason, isConnectionFailure, subgraphFailure } from './subgraphFailure';
import { SubgraphLimitError } from './subgraphFetcher';
import { subgraphFetchDuration, subgraphFetchErrors, subgraphRetries } from './gatewayMetrics';

/** Whether a subgraph operation (as the query planner wrote it) is a mutation. */
function isMutation(query: string | undefined): boolean {
  return query !== undefined && /^\s*mutation\b/.test(query);
}

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  /** Must be a signing fetcher (`createSigningFetcher`): it turns the identity headers into an envelope. */
  fetcher: Fetcher;
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
}

/**
 * One subgraph as the gateway calls it. Nothing from the client's request is forwarded (the base
 * class starts each subgraph request with fresh headers); only the subgraph's name, the request
 * id, the client's address and the caller's verified identity are added, and the signing fetcher
 * seals them into the envelope. A request
 * that fails as a whole becomes an error naming the subgraph, so the rest of the plan still runs.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly serviceName: string;
  private readonly log: Logger;
  private readonly queryRetries: number;
  private readonly maxRepresentations: number;

  constructor(options: SubgraphDataSourceOptions) {
    super({ url: options.url, fetcher: options.fetcher });
    this.serviceName = options.name;
    this.log = options.logger;
    this.queryRetries = options.queryRetries ?? 0;
    this.maxRepresentations = options.maxRepresentations ?? Infinity;
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // The base class builds every subgraph request with fresh headers: nothing the client sent
    // is on them, so there is nothing to strip; the signing fetcher refuses to pass on anything
    // envelope-like that it did not sign.
    const headers = options.request.http?.headers;
    if (!headers) return;
    // Health checks and schema loads run with an empty context: they are anonymous.
    const context = options.context as Partial<GatewayContext>;
    headers.set(ENVELOPE_HEADERS.audience, this.serviceName);
    if (context.requestId) headers.set('x-request-id', context.requestId);
    if (context.clientAddress) headers.set(ENVELOPE_HEADERS.clientAddress, context.clientAddress);
    const identity = context.identity;
    if (identity) {
      headers.set(ENVELOPE_HEADERS.userId, identity.userId);
      headers.set(ENVELOPE_HEADERS.role, identity.role);
      if (identity.sessionId !== undefined) {
        headers.set(ENVELOPE_HEADERS.sessionId, identity.sessionId);
      }
      if (identity.tokenVersion !== undefined) {
        headers.set(ENVELOPE_HEADERS.tokenVersion, String(identity.tokenVersion));
      }
    }
  }

  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']> {
    const context = options.context as Partial<GatewayContext>;
    const mutation = isMutation(options.request.query);
    const representations = options.request.variables?.representations;
    if (Array.isArray(representations) && representations.length > this.maxRepresentations) {
      const failure = subgraphFailure(
        this.serviceName,
        new SubgraphLimitError(
          `${representations.length} entities in one fetch, over the limit of ${this.maxRepresentations}`,
        ),
      );
      (context.logger ?? this.log).warn({ subgraph: this.serviceName }, failure.message);
      throw failure;
    }
    for (let attempt = 0; ; attempt += 1) {
      const stopTimer = subgraphFetchDuration.startTimer({ subgraph: this.serviceName });
      try {
        const response = await super.process(options);
        stopTimer({ outcome: 'success' });
        return response;
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
        const failure = subgraphFailure(this.serviceName, error);
        (context.logger ?? this.log).warn(
          { err: error, subgraph: this.serviceName },
          failure.message,
        );
        throw failure;
      }
    }
  }
}

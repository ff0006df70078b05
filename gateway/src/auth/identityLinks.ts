import type { SigningFetcher } from '@fedstack/envelope/signingFetcher';
import { GraphQLError } from 'graphql';
import { HeaderMap } from '@apollo/server';
import { LRUCache } from 'lru-cache';
import type { Identity } from '@fedstack/envelope/envelope';
import type { Logger } from '@fedstack/runtime/logger';
import { AccessTokenError } from './AccessTokenError';
import type { ExternalCaller } from './externalIssuer';
import { ErrorCode } from '@fedstack/runtime/errors';

export interface IdentityLinkOptions {
  /** The subgraph serving `POST /identities` (the users subgraph). */
  subgraph: string;
  /** The URL of that subgraph's `/graphql`, once the supergraph is loaded. */
  subgraphUrl: () => string | undefined;
  /** A signing fetcher: `/identities` answers only requests signed for its subgraph. */
  fetcher: SigningFetcher;
  /** Links kept in memory, least recently used dropped first. */
  maxEntries: number;
  /** How long a link is trusted before the users subgraph is asked again. */
  ttlMs: number;
  logger: Logger;
}

interface Link {
  userId: string;
  tokenVersion: number;
}

/** The local account of an external caller cannot be looked up: HTTP 503, never anonymous. */
export function identityUnavailable(): GraphQLError {
  return new GraphQLError('The account of this sign-in cannot be looked up now; try again later', {
    extensions: {
      code: ErrorCode.IDENTITY_UNAVAILABLE,
      http: { status: 503, headers: new HeaderMap([['retry-after', '5']]) },
    },
  });
}

/**
 * Links external callers to local accounts: (issuer, subject, role) -> the local user id and its
 * token version, from the users subgraph's `POST /identities` (which finds or creates the account
 * and keeps its role in step), remembered for `ttlMs` in a bounded LRU cache. Concurrent first
 * sightings of one caller share one request. The identity answered carries the LOCAL id, the
 * mapped role and the account's token version, so the revocation feed and the users subgraph's
 * own checks apply to it as to any local token.
 */
export class IdentityLinks {
  private readonly links: LRUCache<string, Link>;
  private readonly pending = new Map<string, Promise<Link>>();

  constructor(private readonly options: IdentityLinkOptions) {
    this.links = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
  }

  async identityOf(caller: ExternalCaller): Promise<Identity> {
    const key = JSON.stringify([caller.issuer, caller.subject, caller.role]);
    let link = this.links.get(key);
    if (!link) {
      let request = this.pending.get(key);
      if (!request) {
        request = this.fetchLink(caller).finally(() => this.pending.delete(key));
        this.pending.set(key, request);
      }
      link = await request;
      // A TTL of 0 asks the users subgraph every time (to lru-cache, 0 would mean forever).
      if (this.options.ttlMs > 0) this.links.set(key, link);
    }
    return { userId: link.userId, role: caller.role, tokenVersion: link.tokenVersion };
  }

  private async fetchLink(caller: ExternalCaller): Promise<Link> {
    const { subgraph, logger } = this.options;
    const base = this.options.subgraphUrl();
    const body = JSON.stringify({
      issuer: caller.issuer,
      subject: caller.subject,
      role: caller.role,
      ...(caller.issuedAt === undefined ? {} : { issuedAt: caller.issuedAt }),
      ...caller.hints,
    });
    let response: Awaited<ReturnType<SigningFetcher>>;
    try {
      if (!base) throw new Error(`no URL for subgraph ${subgraph}`);
      response = await this.options.fetcher(
        { audience: subgraph },
        new URL('identities', base).toString(),
        { method: 'POST', headers: { 'content-type': 'application/json' }, body },
      );
    } catch (error) {
      logger.warn(
        { err: error, issuer: caller.issuer, subgraph },
        'external identity cannot be linked: the users subgraph does not answer',
      );
      throw identityUnavailable();
    }
    if (response.status === 409) {
      throw new AccessTokenError(
        'revoked',
        'a newer token of this issuer gave the account another role',
      );
    }
    const answer = (response.ok ? await response.json().catch(() => null) : null) as {
      userId?: unknown;
      tokenVersion?: unknown;
    } | null;
    if (typeof answer?.userId !== 'string' || !Number.isSafeInteger(answer.tokenVersion)) {
      logger.warn(
        { status: response.status, issuer: caller.issuer, subgraph },
        'external identity cannot be linked: unexpected answer',
      );
      throw identityUnavailable();
    }
    return { userId: answer.userId, tokenVersion: answer.tokenVersion as number };
  }
}

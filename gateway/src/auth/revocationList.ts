import type { SigningFetcher } from '@fedstack/envelope/signingFetcher';
import type { Identity } from '@fedstack/envelope/envelope';
import type { Logger } from '@fedstack/runtime/logger';
import { counter } from '@fedstack/runtime/metrics';
import type { RevocationSettings } from '../config';

/** An entry of the feed as the token-issuing subgraph publishes it. */
export interface FeedEntry {
  userId: string;
  sessionId?: string;
  minTokenVersion?: number;
  createdAt: number;
  expiresAt: number;
}

interface FeedPage {
  now: number;
  revocations: FeedEntry[];
}

/** The feed's page size: a full page means there may be more. */
const PAGE_SIZE = 1000;
/**
 * Each poll asks again for the last minute before the previous answer: an entry whose transaction
 * committed late, with an earlier timestamp, is still seen. Entries are merged, so repeats cost
 * nothing.
 */
const OVERLAP_MS = 60_000;

const feedPolls = counter({
  name: 'gateway_revocation_feed_polls_total',
  help: 'Polls of the token revocation feed, by outcome',
  labelNames: ['outcome'] as const,
});

export interface RevocationListOptions {
  settings: RevocationSettings;
  /** The URL of the issuing subgraph's `/graphql`, once the supergraph is loaded. */
  subgraphUrl: () => string | undefined;
  /** A signing fetcher: the feed answers only requests signed for its subgraph. */
  fetcher: SigningFetcher;
  logger: Logger;
}

function isFeedPage(value: unknown): value is FeedPage {
  const page = value as Partial<FeedPage> | null;
  return typeof page?.now === 'number' && Array.isArray(page.revocations);
}

/**
 * What the gateway knows of revoked access tokens: the logins that ended (by `sid`) and the
 * accounts whose authority changed (by `sub`, refusing a `ver` below the new version), as
 * published by the token-issuing subgraph's feed, polled every `pollIntervalMs`. Each gateway
 * replica follows the feed on its own, so all refuse a revoked token within the same window; with
 * `REDIS_URL`, entries also arrive through `RevocationStream` as they are made.
 */
export class RevocationList {
  private readonly sessions = new Map<string, number>();
  private readonly accounts = new Map<string, { minTokenVersion: number; expiresAt: number }>();
  private since = 0;
  private lastSuccess: number | undefined;
  private stale = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: RevocationListOptions) {}

  /** Polls now and then every `pollIntervalMs` until `stop()`. */
  start(): Promise<void> {
    const first = this.sync();
    const schedule = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        void this.sync().finally(schedule);
      }, this.options.settings.pollIntervalMs);
      this.timer.unref();
    };
    void first.finally(schedule);
    return first;
  }

  /** Stops polling; an in-flight poll is awaited. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Polls the feed once (calls made meanwhile share the poll); never throws. */
  sync(): Promise<void> {
    this.running ??= this.poll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * Why `identity`'s token no longer counts, or null when it still does: its login ended, its
   * account changed after it was issued, or (with `failClosed`) the feed has been silent too long.
   */
  refusal(identity: Identity, now = Date.now()): string | null {
    const { settings } = this.options;
    if (
      settings.failClosed &&
      (this.lastSuccess === undefined || now - this.lastSuccess > settings.staleAfterMs)
    ) {
      return 'token revocation state is unavailable';
    }
    if (identity.sessionId !== undefined) {
      const until = this.sessions.get(identity.sessionId);
      if (until !== undefined && until > now) return 'the login of this token has ended';
    }
    const account = this.accounts.get(identity.userId);
    if (
      account !== undefined &&
      account.expiresAt > now &&
      (identity.tokenVersion ?? 0) < account.minTokenVersion
    ) {
      return 'the account has changed since this token was issued';
    }
    return null;
  }

  private async poll(): Promise<void> {
    const { settings, logger } = this.options;
    const base = this.options.subgraphUrl();
    if (settings.subgraph === undefined || !base) return;
    try {
      let since = Math.max(0, this.since - OVERLAP_MS);
      let serverNow: number | undefined;
      for (;;) {
        const page = await this.fetchPage(base, since);
        serverNow ??= page.now;
        for (const entry of page.revocations) this.add(entry);
        const last = page.revocations.at(-1);
        if (page.revocations.length < PAGE_SIZE || !last || last.createdAt <= since) break;
        since = last.createdAt;
      }
      this.since = serverNow;
      this.lastSuccess = Date.now();
      this.prune(this.lastSuccess);
      feedPolls.inc({ outcome: 'success' });
      if (this.stale) {
        this.stale = false;
        logger.info({ subgraph: settings.subgraph }, 'token revocation feed answers again');
      }
    } catch (error) {
      feedPolls.inc({ outcome: 'error' });
      const silentFor = this.lastSuccess === undefined ? undefined : Date.now() - this.lastSuccess;
      if (!this.stale && (silentFor === undefined || silentFor > settings.staleAfterMs)) {
        this.stale = true;
        logger.warn(
          {
            err: error,
            subgraph: settings.subgraph,
            failClosed: settings.failClosed,
          },
          settings.failClosed
            ? 'token revocation feed unavailable: refusing access tokens until it answers'
            : 'token revocation feed unavailable: revoked access tokens may be accepted until it answers',
        );
      }
    }
  }

  private async fetchPage(base: string, since: number): Promise<FeedPage> {
    const url = new URL('revocations', base);
    url.searchParams.set('since', String(since));
    const response = await this.options.fetcher(
      { audience: this.options.settings.subgraph ?? '' },
      url.toString(),
      { method: 'GET' },
    );
    if (!response.ok) throw new Error(`revocation feed answered HTTP ${response.status}`);
    const body: unknown = await response.json();
    if (!isFeedPage(body)) throw new Error('revocation feed answered an unexpected body');
    return body;
  }

  /**
   * Takes in one entry as the feed shows it, from the feed or from the Redis stream; anything
   * not shaped like one is ignored, and an entry seen twice changes nothing.
   */
  add(entry: FeedEntry): void {
    if (typeof entry !== 'object' || entry === null) return;
    if (typeof entry.expiresAt !== 'number' || typeof entry.userId !== 'string') return;
    if (typeof entry.sessionId === 'string') {
      this.sessions.set(
        entry.sessionId,
        Math.max(entry.expiresAt, this.sessions.get(entry.sessionId) ?? 0),
      );
    }
    if (typeof entry.minTokenVersion === 'number') {
      const known = this.accounts.get(entry.userId);
      this.accounts.set(entry.userId, {
        minTokenVersion: Math.max(entry.minTokenVersion, known?.minTokenVersion ?? 0),
        expiresAt: Math.max(entry.expiresAt, known?.expiresAt ?? 0),
      });
    }
  }

  private prune(now: number): void {
    for (const [sessionId, until] of this.sessions) {
      if (until <= now) this.sessions.delete(sessionId);
    }
    for (const [userId, account] of this.accounts) {
      if (account.expiresAt <= now) this.accounts.delete(userId);
    }
  }
}

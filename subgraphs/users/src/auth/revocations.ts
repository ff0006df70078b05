import { Op, type Transaction } from 'sequelize';
import type { Models } from '../models';
import type { Revocation } from '../models/Revocation';
import type { User } from '../models/User';

/** The token version a deleted account is revoked up to: no token was ever issued under it. */
export const DELETED_ACCOUNT_VERSION = 2_147_483_647;

/** Why a revocation was made; recorded with it and shown in the feed. */
export type RevocationReason =
  'logout' | 'refresh_reuse' | 'role_changed' | 'password_changed' | 'deleted';

/** One entry of the feed as gateways read it (`GET /revocations`). */
export interface RevocationEntry {
  id: number;
  userId: string;
  /** Set when one login ended: its access tokens (`sid`) are refused. */
  sessionId?: string;
  /** Set when the account changed: its access tokens with a lower `ver` are refused. */
  minTokenVersion?: number;
  reason: string;
  /** Milliseconds since the epoch when it was made. */
  createdAt: number;
  /** Milliseconds since the epoch after which the entry can refuse nothing. */
  expiresAt: number;
}

/**
 * Ends logins and stale access tokens. Refresh tokens end in the database at once; access tokens,
 * which are verified without a database, end through the feed that gateways follow. Each entry is
 * kept as long as an access token issued just before it could live (`retainSeconds`).
 */
export class Revocations {
  private publisher: ((entry: RevocationEntry) => void) | undefined;

  constructor(
    private readonly models: Models,
    /** How long each entry is kept. */
    readonly retainSeconds: number,
  ) {}

  /**
   * Also announces each revocation to `publisher` (the Redis stream, with `REDIS_URL`) once the
   * transaction that made it has committed: a rolled-back one announces nothing. The feed stays
   * the record; the announcement only makes gateways learn of it sooner.
   */
  publishTo(publisher: (entry: RevocationEntry) => void): void {
    this.publisher = publisher;
  }

  /**
   * Ends one login: its refresh-token family now, its access tokens through the feed. A login
   * that had already ended adds nothing to the feed: no access token was issued for it since.
   */
  async endSession(
    userId: number,
    sessionId: string,
    reason: RevocationReason,
    transaction: Transaction,
  ): Promise<void> {
    const now = new Date();
    const [revoked] = await this.models.RefreshToken.update(
      { revokedAt: now },
      { where: { familyId: sessionId, revokedAt: { [Op.is]: null } }, transaction },
    );
    if (revoked === 0) return;
    await this.record({ userId, sessionId, minTokenVersion: null, reason }, now, transaction);
  }

  /**
   * Ends every login of `user` and every access token issued before now, by raising the
   * account's token version. Call it inside the transaction that changes the account.
   */
  async endAllSessions(user: User, reason: RevocationReason, transaction: Transaction) {
    const now = new Date();
    await this.models.RefreshToken.update(
      { revokedAt: now },
      { where: { userId: user.id, revokedAt: { [Op.is]: null } }, transaction },
    );
    await user.increment('tokenVersion', { transaction });
    await user.reload({ transaction });
    await this.record(
      { userId: user.id, sessionId: null, minTokenVersion: user.tokenVersion, reason },
      now,
      transaction,
    );
  }

  /** Records that account `userId` is gone: none of its access tokens counts any more. */
  async endDeletedAccount(userId: number, transaction: Transaction): Promise<void> {
    await this.record(
      { userId, sessionId: null, minTokenVersion: DELETED_ACCOUNT_VERSION, reason: 'deleted' },
      new Date(),
      transaction,
    );
  }

  /** The entries made since `since` that can still refuse a token, oldest first. */
  async since(since: Date, limit: number): Promise<RevocationEntry[]> {
    const rows = await this.models.Revocation.findAll({
      where: { createdAt: { [Op.gte]: since }, expiresAt: { [Op.gt]: new Date() } },
      order: [
        ['createdAt', 'ASC'],
        ['id', 'ASC'],
      ],
      limit,
    });
    return rows.map(toEntry);
  }

  /** Deletes the entries that can no longer refuse anything; returns how many. */
  prune(): Promise<number> {
    return this.models.Revocation.destroy({ where: { expiresAt: { [Op.lte]: new Date() } } });
  }

  private async record(
    entry: Pick<Revocation, 'userId' | 'sessionId' | 'minTokenVersion' | 'reason'>,
    now: Date,
    transaction: Transaction,
  ): Promise<void> {
    const row = await this.models.Revocation.create(
      { ...entry, expiresAt: new Date(now.getTime() + this.retainSeconds * 1000) },
      { transaction },
    );
    const publisher = this.publisher;
    if (publisher) transaction.afterCommit(() => publisher(toEntry(row)));
  }
}

function toEntry(row: Revocation): RevocationEntry {
  return {
    id: row.id,
    userId: String(row.userId),
    ...(row.sessionId === null ? {} : { sessionId: row.sessionId }),
    ...(row.minTokenVersion === null ? {} : { minTokenVersion: row.minTokenVersion }),
    reason: row.reason,
    createdAt: row.createdAt.getTime(),
    expiresAt: row.expiresAt.getTime(),
  };
}

import { randomUUID } from 'node:crypto';
import { Op, type Transaction } from 'sequelize';
import { unauthenticated, type Database, type Logger } from '@fedstack/kit';
import type { Models } from '../models';
import type { RefreshToken } from '../models/RefreshToken';
import type { User } from '../models/User';
import { LoginThrottled, type LoginThrottle } from './loginThrottle';
import { verifyPassword } from './passwords';
import { Revocations } from './revocations';
import { hashRefreshToken, newRefreshToken, type AccessTokenSigner } from './tokens';

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: User;
}

const BAD_CREDENTIALS = 'Invalid username or password';
const BAD_REFRESH_TOKEN = 'Invalid or expired refresh token';
/** Beyond the access-token lifetime, how long a revocation is kept: the verifiers' clock leeway. */
const REVOCATION_LEEWAY_SECONDS = 120;

/**
 * Logins and refresh-token families. Rotation and reuse detection run inside one write
 * transaction so that two concurrent uses of the same token cannot both succeed.
 */
export class Sessions {
  /** Ends logins and stale access tokens; kept while an access token issued before could live. */
  readonly revocations: Revocations;

  constructor(
    private readonly db: Database,
    private readonly models: Models,
    private readonly signer: AccessTokenSigner,
    private readonly refreshTtlSeconds: number,
    private readonly throttle: LoginThrottle,
    private readonly logger: Logger,
  ) {
    this.revocations = new Revocations(models, signer.ttlSeconds + REVOCATION_LEEWAY_SECONDS);
  }

  /**
   * Checks credentials; unknown user and wrong password fail alike, in about the same time.
   * Wrong passwords are throttled per account and per client address: while the account is
   * locked or the address has no failures left, an attempt is refused with `TOO_MANY_REQUESTS`
   * before any password is checked, even a right one, and the refusal itself counts for nothing.
   */
  async login(username: string, password: string, client: { ip?: string }): Promise<AuthPayload> {
    let user: User | null;
    try {
      user = await this.throttle.attempt(username, client.ip, async () => {
        const found = await this.models.User.findOne({
          where: { usernameKey: username.toLowerCase() },
        });
        if (await verifyPassword(found?.passwordHash ?? null, password)) return found;
        this.logger.info(
          { event: 'login.failed', userId: found?.id ?? null, ip: client.ip },
          'login failed',
        );
        return null;
      });
    } catch (error) {
      if (!(error instanceof LoginThrottled)) throw error;
      this.logger.warn(
        {
          event: 'login.throttled',
          scope: error.scope,
          retryAfter: error.retryAfterSeconds,
          ip: client.ip,
        },
        'login throttled',
      );
      throw error.toGraphQLError();
    }
    if (!user) throw unauthenticated(BAD_CREDENTIALS);
    this.logger.info({ event: 'login.succeeded', userId: user.id, ip: client.ip }, 'login');
    return this.issue(user, randomUUID());
  }

  /** Issues an access token and the first refresh token of a new login, `familyId`. */
  async issue(user: User, familyId: string): Promise<AuthPayload> {
    const refreshToken = newRefreshToken();
    await this.db.write((transaction) =>
      this.models.RefreshToken.create(
        {
          userId: user.id,
          familyId,
          tokenHash: hashRefreshToken(refreshToken),
          expiresAt: new Date(Date.now() + this.refreshTtlSeconds * 1000),
          usedAt: null,
          revokedAt: null,
        },
        { transaction },
      ),
    );
    return this.payload(user, familyId, refreshToken);
  }

  /**
   * Rotates a refresh token; a used or revoked one revokes its whole family. The account's row is
   * locked first (PostgreSQL: `SELECT ... FOR UPDATE`), so a rotation, a logout and an account
   * change of the same account run one after the other; the token is then claimed by an update
   * that must change exactly one row, so of two concurrent uses exactly one wins and the other
   * counts as reuse.
   */
  async refresh(token: string, client: { ip?: string }): Promise<AuthPayload> {
    const next = newRefreshToken();
    const outcome = await this.db.write(async (transaction) => {
      const { RefreshToken } = this.models;
      const owned = await this.lockOwner(token, transaction);
      if (!owned) return { kind: 'unknown' as const };
      const { found, user } = owned;
      const now = new Date();
      const [claimed] = await RefreshToken.update(
        { usedAt: now },
        {
          where: {
            id: found.id,
            usedAt: { [Op.is]: null },
            revokedAt: { [Op.is]: null },
            expiresAt: { [Op.gt]: now },
          },
          transaction,
        },
      );
      if (claimed !== 1) {
        const current = await RefreshToken.findByPk(found.id, { transaction });
        if (!current || (!current.usedAt && !current.revokedAt))
          return { kind: 'unknown' as const };
        await this.revocations.endSession(user.id, current.familyId, 'refresh_reuse', transaction);
        return { kind: 'reused' as const, userId: user.id, familyId: current.familyId };
      }
      await RefreshToken.create(
        {
          userId: user.id,
          familyId: found.familyId,
          tokenHash: hashRefreshToken(next),
          expiresAt: new Date(now.getTime() + this.refreshTtlSeconds * 1000),
          usedAt: null,
          revokedAt: null,
        },
        { transaction },
      );
      return { kind: 'rotated' as const, user, familyId: found.familyId };
    });
    if (outcome.kind === 'reused') {
      this.logger.warn(
        {
          event: 'refresh.reused',
          userId: outcome.userId,
          familyId: outcome.familyId,
          ip: client.ip,
        },
        'refresh token reuse: family revoked',
      );
    }
    if (outcome.kind !== 'rotated') throw unauthenticated(BAD_REFRESH_TOKEN);
    return this.payload(outcome.user, outcome.familyId, next);
  }

  /**
   * Ends the login of `token` if it is known, silent either way: its refresh tokens at once, its
   * access tokens through the revocation feed. Locks the account's row like `refresh`, so a
   * rotation racing the logout is either seen and revoked or refused.
   */
  async logout(token: string): Promise<void> {
    await this.db.write(async (transaction) => {
      const owned = await this.lockOwner(token, transaction);
      if (!owned) return;
      await this.revocations.endSession(owned.user.id, owned.found.familyId, 'logout', transaction);
    });
  }

  /**
   * The stored refresh token `token` and its account, the account's row locked (PostgreSQL:
   * `SELECT ... FOR UPDATE`) so that rotations, logouts and account changes of one account run
   * one after another; null when either is unknown.
   */
  private async lockOwner(
    token: string,
    transaction: Transaction,
  ): Promise<{ found: RefreshToken; user: User } | null> {
    const found = await this.models.RefreshToken.findOne({
      where: { tokenHash: hashRefreshToken(token) },
      transaction,
    });
    if (!found) return null;
    const user = await this.models.User.findByPk(found.userId, {
      transaction,
      lock: transaction.LOCK.UPDATE,
    });
    return user ? { found, user } : null;
  }

  private payload(user: User, sessionId: string, refreshToken: string): AuthPayload {
    return {
      accessToken: this.signer.sign({
        id: user.id,
        role: user.role,
        sessionId,
        tokenVersion: user.tokenVersion,
      }),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.signer.ttlSeconds,
      user,
    };
  }
}

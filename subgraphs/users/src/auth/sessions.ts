import { randomUUID } from 'node:crypto';
import { Op } from 'sequelize';
import { unauthenticated, type Database, type Logger } from '@fedstack/kit';
import type { Models } from '../models';
import type { User } from '../models/User';
import { LoginThrottled, type LoginThrottle } from './loginThrottle';
import { verifyPassword } from './passwords';
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

/**
 * Logins and refresh-token families. Rotation and reuse detection run inside one write
 * transaction so that two concurrent uses of the same token cannot both succeed.
 */
export class Sessions {
  constructor(
    private readonly db: Database,
    private readonly models: Models,
    private readonly signer: AccessTokenSigner,
    private readonly refreshTtlSeconds: number,
    private readonly throttle: LoginThrottle,
    private readonly logger: Logger,
  ) {}

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

  /** Issues an access token and the first (or next) refresh token of `familyId`. */
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
    return this.payload(user, refreshToken);
  }

  /** Rotates a refresh token; a used or revoked one revokes its whole family. */
  async refresh(token: string, client: { ip?: string }): Promise<AuthPayload> {
    const next = newRefreshToken();
    const outcome = await this.db.write(async (transaction) => {
      const { RefreshToken, User } = this.models;
      const current = await RefreshToken.findOne({
        where: { tokenHash: hashRefreshToken(token) },
        transaction,
      });
      if (!current) return { kind: 'unknown' as const };
      const now = new Date();
      if (current.usedAt || current.revokedAt) {
        await RefreshToken.update(
          { revokedAt: now },
          { where: { familyId: current.familyId, revokedAt: { [Op.is]: null } }, transaction },
        );
        return { kind: 'reused' as const, userId: current.userId, familyId: current.familyId };
      }
      if (current.expiresAt.getTime() <= now.getTime()) return { kind: 'unknown' as const };
      const user = await User.findByPk(current.userId, { transaction });
      if (!user) return { kind: 'unknown' as const };
      await current.update({ usedAt: now }, { transaction });
      await RefreshToken.create(
        {
          userId: user.id,
          familyId: current.familyId,
          tokenHash: hashRefreshToken(next),
          expiresAt: new Date(now.getTime() + this.refreshTtlSeconds * 1000),
          usedAt: null,
          revokedAt: null,
        },
        { transaction },
      );
      return { kind: 'rotated' as const, user };
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
    return this.payload(outcome.user, next);
  }

  /** Revokes the family of `token` if it is known; silent either way. */
  async logout(token: string): Promise<void> {
    await this.db.write(async (transaction) => {
      const { RefreshToken } = this.models;
      const current = await RefreshToken.findOne({
        where: { tokenHash: hashRefreshToken(token) },
        transaction,
      });
      if (!current) return;
      await RefreshToken.update(
        { revokedAt: new Date() },
        { where: { familyId: current.familyId, revokedAt: { [Op.is]: null } }, transaction },
      );
    });
  }

  private payload(user: User, refreshToken: string): AuthPayload {
    return {
      accessToken: this.signer.sign({ id: user.id, role: user.role }),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.signer.ttlSeconds,
      user,
    };
  }
}

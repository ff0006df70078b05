import { Op, type Transaction } from 'sequelize';
import { parseId, requireViewer, unauthenticated, type Viewer } from '@fedstack/kit';
import type { Models } from '../models';

/**
 * The caller as their account stands now, for the mutations that change an account or a role.
 * An access token is verified without a database and lives for minutes; this reads the account
 * inside `transaction`, locking its row (PostgreSQL), and refuses with `UNAUTHENTICATED` a token
 * whose account is gone, whose token version is behind the account's (its role or password has
 * changed since), or whose login (`sid`) has ended. The role returned is the account's current
 * one, not the token's.
 */
export async function currentViewer(
  viewer: Viewer | null,
  models: Models,
  transaction: Transaction,
): Promise<Viewer> {
  const claimed = requireViewer(viewer);
  const id = parseId(claimed.id);
  const user =
    id === null
      ? null
      : await models.User.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
  if (!user) throw unauthenticated('The account of this access token no longer exists');
  if ((claimed.tokenVersion ?? 0) !== user.tokenVersion) {
    throw unauthenticated('This access token was issued before the account changed; log in again');
  }
  if (claimed.sessionId !== undefined) {
    const live = await models.RefreshToken.findOne({
      attributes: ['id'],
      where: { familyId: claimed.sessionId, userId: user.id, revokedAt: { [Op.is]: null } },
      transaction,
    });
    if (!live) throw unauthenticated('The login of this access token has ended; log in again');
  }
  return { ...claimed, role: user.role };
}

import { randomUUID } from 'node:crypto';
import { UniqueConstraintError, type Transaction } from 'sequelize';
import {
  badUserInput,
  forbidden,
  notFound,
  parseId,
  readId,
  requireAdmin,
  requireViewer,
  tooManyRequests,
  type Role,
  type Viewer,
} from '@fedstack/kit';
import { currentViewer } from '../auth/currentViewer';
import { hashPassword, NO_PASSWORD } from '../auth/passwords';
import type { Context } from '../index';
import type { MutationResolvers } from '../generated/graphql';
import type { User } from '../models/User';
import { readEmail, readPassword, readRole, readUsername } from '../userInput';

interface NewUser {
  username: string;
  email: string;
  password: string;
  role?: string | null;
}

/**
 * Validates and stores a new account; a taken username (in any case) is BAD_USER_INPUT.
 * `authorize`, when given, runs first inside the same transaction and may refuse.
 */
async function createAccount(
  ctx: Context,
  input: NewUser,
  role: Role,
  authorize?: (transaction: Transaction) => Promise<unknown>,
): Promise<User> {
  const username = readUsername('input.username', input.username);
  const email = readEmail('input.email', input.email);
  const passwordHash = await hashPassword(readPassword('input.password', input.password));
  try {
    return await ctx.db.write(async (transaction) => {
      await authorize?.(transaction);
      return ctx.models.User.create(
        { username, usernameKey: username.toLowerCase(), email, role, passwordHash },
        { transaction },
      );
    });
  } catch (error) {
    if (error instanceof UniqueConstraintError) {
      throw badUserInput('input.username', 'is already taken');
    }
    throw error;
  }
}

/**
 * Allows one password check or hash (`login`, `register`) per request: aliasing `login` many
 * times in one operation must not run many guesses, nor make one request cost many hashes. Later
 * fields are refused before any hashing.
 */
function claimPasswordWork(ctx: Context): void {
  if (ctx.passwordWork > 0) {
    throw tooManyRequests(
      1,
      'Only one login or register is allowed per request; send each in its own request',
    );
  }
  ctx.passwordWork += 1;
}

/**
 * Returns `viewer` when it may update account `id` (itself, or any as an admin), changing the
 * role only as an admin; throws FORBIDDEN otherwise.
 */
function mayUpdate(viewer: Viewer, id: string, changesRole: boolean): Viewer {
  const admin = viewer.role === 'ADMIN';
  if (!admin && id !== viewer.id) throw forbidden('You may only update your own account');
  if (!admin && changesRole) throw forbidden('Only admins may change a role');
  return viewer;
}

/** The caller as their account stands now, refused unless it is an admin (see `currentViewer`). */
async function currentAdmin(ctx: Context, transaction: Transaction): Promise<Viewer> {
  return requireAdmin(await currentViewer(ctx.viewer, ctx.models, transaction));
}

export const Mutation: MutationResolvers = {
  login: (_parent, { username, password }, ctx) => {
    if (username.length > 32) throw badUserInput('username', 'must be at most 32 characters');
    if (password.length > 128) throw badUserInput('password', 'must be at most 128 characters');
    claimPasswordWork(ctx);
    return ctx.sessions.login(username, password, { ip: ctx.clientIp });
  },
  refreshToken: (_parent, { refreshToken }, ctx) => {
    if (refreshToken.length > 256)
      throw badUserInput('refreshToken', 'must be at most 256 characters');
    return ctx.sessions.refresh(refreshToken, { ip: ctx.clientIp });
  },
  logout: async (_parent, { refreshToken }, ctx) => {
    if (refreshToken.length <= 256) await ctx.sessions.logout(refreshToken);
    return true;
  },
  register: async (_parent, { input }, ctx) => {
    readUsername('input.username', input.username);
    readEmail('input.email', input.email);
    readPassword('input.password', input.password);
    claimPasswordWork(ctx);
    const admission = await ctx.registerThrottle.admit(ctx.clientIp);
    if (!admission.admitted) {
      const retryAfter = admission.retryAfterSeconds;
      ctx.logger.warn({ event: 'register.throttled', retryAfter, ip: ctx.clientIp }, 'throttled');
      throw tooManyRequests(
        retryAfter,
        `Too many registrations from this address; retry in ${retryAfter} s`,
      );
    }
    const user = await createAccount(ctx, input, 'USER');
    ctx.logger.info({ event: 'user.registered', userId: user.id, ip: ctx.clientIp }, 'register');
    return ctx.sessions.issue(user, randomUUID());
  },
  createUser: async (_parent, { input }, ctx) => {
    // The token's role is checked first, before any hashing; the account's current role is
    // checked again where it counts, in the transaction that creates the account.
    requireAdmin(ctx.viewer);
    const role = readRole('input.role', input.role ?? 'USER');
    let admin: Viewer | undefined;
    const user = await createAccount(ctx, input, role, async (transaction) => {
      admin = await currentAdmin(ctx, transaction);
    });
    ctx.logger.info(
      { event: 'user.created', userId: user.id, by: admin?.id, role, ip: ctx.clientIp },
      'user created',
    );
    return user;
  },
  updateUser: async (_parent, { id, input }, ctx) => {
    const claimed = requireViewer(ctx.viewer);
    readId('id', id);
    // What the token claims is checked first, so that a refusal costs no hashing; the account's
    // current state decides again inside the transaction.
    mayUpdate(claimed, id, input.role != null);
    const changes: Partial<Pick<User, 'email' | 'passwordHash' | 'role'>> = {};
    if (input.email !== undefined) {
      if (input.email === null) throw badUserInput('input.email', 'cannot be null');
      changes.email = readEmail('input.email', input.email);
    }
    if (input.password !== undefined) {
      if (input.password === null) throw badUserInput('input.password', 'cannot be null');
      changes.passwordHash = await hashPassword(readPassword('input.password', input.password));
    }
    if (input.role != null) changes.role = readRole('input.role', input.role);
    const userId = parseId(id);
    const updated = await ctx.db.write(async (transaction) => {
      const viewer = mayUpdate(
        await currentViewer(ctx.viewer, ctx.models, transaction),
        id,
        input.role != null,
      );
      const user =
        userId === null
          ? null
          : await ctx.models.User.findByPk(userId, { transaction, lock: transaction.LOCK.UPDATE });
      if (!user) return null;
      // An account linked to an external issuer signs in there only: a local password would be a
      // second way in that skips the provider's own checks.
      if (changes.passwordHash && user.passwordHash === NO_PASSWORD) {
        throw badUserInput(
          'input.password',
          'cannot be set: this account signs in through its identity provider',
        );
      }
      const roleChanged = changes.role !== undefined && changes.role !== user.role;
      await user.update(changes, { transaction });
      // A new password or role ends every login and every access token issued before it.
      if (changes.passwordHash || roleChanged) {
        await ctx.sessions.revocations.endAllSessions(
          user,
          roleChanged ? 'role_changed' : 'password_changed',
          transaction,
        );
      }
      return { user, roleChanged, by: viewer.id };
    });
    if (!updated) throw notFound('User', id);
    if (updated.roleChanged) {
      ctx.logger.info(
        {
          event: 'user.role_changed',
          userId: updated.user.id,
          by: updated.by,
          role: changes.role,
          ip: ctx.clientIp,
        },
        'role changed',
      );
    }
    return updated.user;
  },
  deleteUser: async (_parent, { id }, ctx) => {
    requireAdmin(ctx.viewer);
    const userId = parseId(readId('id', id));
    const outcome = await ctx.db.write(async (transaction) => {
      const admin = await currentAdmin(ctx, transaction);
      if (userId === null) return { deleted: 0, by: admin.id };
      await ctx.models.RefreshToken.destroy({ where: { userId }, transaction });
      const deleted = await ctx.models.User.destroy({ where: { id: userId }, transaction });
      if (deleted > 0) await ctx.sessions.revocations.endDeletedAccount(userId, transaction);
      return { deleted, by: admin.id };
    });
    if (outcome.deleted === 0) throw notFound('User', id);
    ctx.logger.info(
      { event: 'user.deleted', userId, by: outcome.by, ip: ctx.clientIp },
      'user deleted',
    );
    return true;
  },
};

import DataLoader from 'dataloader';
import { loadById, parseId } from '@fedstack/kit';
import type { Models } from './models';
import type { UserRow } from './models/User';

/** The username a reference to a deleted user resolves with. */
export const DELETED_USERNAME = 'deleted-user';

const placeholders = new WeakSet<UserRow>();

/** Whether `user` is a deleted-user placeholder from `userReferenceById`, not a stored account. */
export function isDeletedUserPlaceholder(user: UserRow): boolean {
  return placeholders.has(user);
}

export interface Loaders {
  /**
   * Users by id, as plain rows without the password hash; a missing or malformed id loads null.
   * One SELECT per batch.
   */
  userById: DataLoader<string, UserRow | null>;
  /**
   * Users by id for references from other subgraphs (an order's `user`, a supplier's
   * `createdBy`): a well-formed id with no account loads a placeholder instead of null, with the
   * same id, username `deleted-user`, role `USER` and `createdAt` at the epoch, never stored, so
   * that the non-null `Order.user` of a deleted account does not null the whole answer. A
   * malformed id still loads null. Batches through `userById`.
   */
  userReferenceById: DataLoader<string, UserRow | null>;
}

/** Fresh loaders for one request, so that nothing is cached across callers. */
export function createLoaders(models: Models): Loaders {
  // The password hash is never selected: nothing that loads a user reads it.
  const userById: DataLoader<string, UserRow | null> = loadById(models.User, {
    exclude: ['passwordHash'],
  });
  const placeholderFor = (id: string): UserRow | null => {
    const numeric = parseId(id);
    if (numeric === null) return null;
    const placeholder = models.User.build({
      id: numeric,
      username: DELETED_USERNAME,
      usernameKey: DELETED_USERNAME,
      email: '',
      role: 'USER',
      passwordHash: '',
      createdAt: new Date(0),
    });
    placeholders.add(placeholder);
    return placeholder;
  };
  return {
    userById,
    userReferenceById: new DataLoader<string, UserRow | null>(async (ids) => {
      const users = await userById.loadMany(ids);
      return users.map((user, i) =>
        user instanceof Error ? user : (user ?? placeholderFor(ids[i] ?? '')),
      );
    }),
  };
}

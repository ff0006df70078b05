import { forbidden, isSelfOrAdmin } from '@fedstack/kit';
import type { UserResolvers } from '../generated/graphql';
import { isDeletedUserPlaceholder } from '../loaders';

export const User: UserResolvers = {
  // The entity path is public like `username`; `email` below guards itself on every path. A
  // deleted account resolves to a placeholder here, so that other subgraphs' records survive it.
  __resolveReference: (reference, { loaders }) =>
    loaders.userReferenceById.load(String(reference.id)),
  id: (user) => String(user.id),
  email: (user, _args, { viewer }) => {
    // A placeholder has no email to protect: null for everyone, with no error.
    if (isDeletedUserPlaceholder(user)) return null;
    if (!isSelfOrAdmin(viewer, String(user.id))) {
      throw forbidden('Only the user themself or an admin may read the email');
    }
    return user.email;
  },
};

import { forbidden, isSelfOrAdmin } from '@fedstack/kit';
import type { UserResolvers } from '../generated/graphql';

export const User: UserResolvers = {
  // The entity path is public like `username`; `email` below guards itself on every path.
  __resolveReference: (reference, { loaders }) => loaders.userById.load(String(reference.id)),
  id: (user) => String(user.id),
  email: (user, _args, { viewer }) => {
    if (!isSelfOrAdmin(viewer, String(user.id))) {
      throw forbidden('Only the user themself or an admin may read the email');
    }
    return user.email;
  },
};

import { forbidden, isSelfOrAdmin, readPage } from '@fedstack/kit';
import type { UserResolvers } from '../generated/graphql';

export const User: UserResolvers = {
  orders(user, args, { viewer, loaders }) {
    // Checked before the page, so that a caller who may not look learns nothing from the error.
    if (!isSelfOrAdmin(viewer, user.id))
      throw forbidden("Only the user themself or an admin may see a user's orders");
    return loaders.ordersByUserId(readPage(args)).load(user.id);
  },
};

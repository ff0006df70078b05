import { readPage } from '@fedstack/kit';
import type { UserResolvers } from '../generated/graphql';

export const User: UserResolvers = {
  suppliers(user, args, { loaders }) {
    return loaders.suppliersByCreatorId(readPage(args)).load(user.id);
  },
};

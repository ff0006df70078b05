import { readPage } from '@fedstack/kit';
import type { UserResolvers } from '../generated/graphql';

/** A user as this subgraph knows one: only the id; the users subgraph owns the rest. */
export interface UserReference {
  __typename?: 'User';
  id: string;
}

/** Builds the reference the gateway resolves against the users subgraph; runs no SQL. */
export function userReference(id: string): UserReference {
  return { __typename: 'User', id };
}

export const User: UserResolvers = {
  suppliers(user, args, { loaders }) {
    return loaders.suppliersByCreatorId(readPage(args)).load(user.id);
  },
};

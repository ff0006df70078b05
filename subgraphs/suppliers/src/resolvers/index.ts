import { DateTimeScalar } from '@fedstack/kit';
import type { Resolvers } from '../generated/graphql';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { Supplier } from './Supplier';
import { User } from './User';

/** The suppliers subgraph's resolver map. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Supplier,
  User,
};

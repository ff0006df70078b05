import { DateTimeScalar } from '@fedstack/kit';
import type { Resolvers } from '../generated/graphql';
import { Mutation } from './Mutation';
import { Order } from './Order';
import { Query } from './Query';
import { User } from './User';

/** The orders subgraph's resolver map. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Order,
  User,
};

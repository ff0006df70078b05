import { isSelfOrAdmin, readId, readPage, requireAdmin, requireViewer } from '@fedstack/kit';
import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  me: (_parent, _args, { viewer, loaders }) => loaders.userById.load(requireViewer(viewer).id),
  user: (_parent, { id }, { viewer, loaders }) =>
    isSelfOrAdmin(viewer, readId('id', id)) ? loaders.userById.load(id) : null,
  users: async (_parent, args, { viewer, models }) => {
    requireAdmin(viewer);
    const { limit, offset } = readPage(args);
    return models.User.findAll({ order: [['id', 'ASC']], limit, offset });
  },
};

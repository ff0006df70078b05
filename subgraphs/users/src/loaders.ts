import DataLoader from 'dataloader';
import { Op } from 'sequelize';
import { parseId } from '@fedstack/kit';
import type { Models } from './models';
import type { User } from './models/User';

export interface Loaders {
  /** Users by id; a missing or malformed id loads null. One SELECT per batch. */
  userById: DataLoader<string, User | null>;
}

/** Fresh loaders for one request, so that nothing is cached across callers. */
export function createLoaders(models: Models): Loaders {
  return {
    userById: new DataLoader<string, User | null>(async (ids) => {
      const numeric = ids.map(parseId).filter((id): id is number => id !== null);
      const rows =
        numeric.length === 0
          ? []
          : await models.User.findAll({ where: { id: { [Op.in]: numeric } } });
      const byId = new Map(rows.map((row) => [String(row.id), row]));
      return ids.map((id) => byId.get(String(parseId(id))) ?? null);
    }),
  };
}

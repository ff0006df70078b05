import type { Sequelize } from 'sequelize';
import { defineRefreshTokenModel, type RefreshTokenModel } from './RefreshToken';
import { defineUserModel, type UserModel } from './User';

export interface Models {
  User: UserModel;
  RefreshToken: RefreshTokenModel;
}

/** The users subgraph's models, bound to its database. */
export function defineModels(sequelize: Sequelize): Models {
  return { User: defineUserModel(sequelize), RefreshToken: defineRefreshTokenModel(sequelize) };
}

import type { Sequelize } from 'sequelize';
import { defineExternalIdentityModel, type ExternalIdentityModel } from './ExternalIdentity';
import { defineRefreshTokenModel, type RefreshTokenModel } from './RefreshToken';
import { defineRevocationModel, type RevocationModel } from './Revocation';
import { defineUserModel, type UserModel } from './User';

export interface Models {
  User: UserModel;
  RefreshToken: RefreshTokenModel;
  Revocation: RevocationModel;
  ExternalIdentity: ExternalIdentityModel;
}

/** The users subgraph's models, bound to its database. */
export function defineModels(sequelize: Sequelize): Models {
  return {
    User: defineUserModel(sequelize),
    RefreshToken: defineRefreshTokenModel(sequelize),
    Revocation: defineRevocationModel(sequelize),
    ExternalIdentity: defineExternalIdentityModel(sequelize),
  };
}

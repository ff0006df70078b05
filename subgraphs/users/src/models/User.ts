import { bindEntityModel } from '@fedstack/kit';
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { Role } from '@fedstack/kit';

/** A user account. `usernameKey` is the lower-cased username, unique, so names are unique regardless of case. */
export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare username: string;
  declare usernameKey: string;
  declare email: string;
  declare role: Role;
  declare passwordHash: string;
  /**
   * Goes up whenever the account's authority changes (role, password): access tokens carry the
   * version they were issued under (`ver`), and older ones no longer count.
   */
  declare tokenVersion: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export type UserModel = typeof User;

/**
 * An account's columns but its password hash, as a plain object: what reads that never change an
 * account load (a model instance costs several times the row), and what resolvers take; a model
 * instance is one too.
 */
export type UserRow = Omit<InferAttributes<User>, 'passwordHash'>;

/** The `User` model bound to one database (see `bindEntityModel`). */
export function defineUserModel(sequelize: Sequelize): UserModel {
  return bindEntityModel(
    User,
    sequelize,
    {
      username: { type: DataTypes.STRING(32), allowNull: false },
      usernameKey: { type: DataTypes.STRING(32), allowNull: false, unique: true },
      email: { type: DataTypes.STRING(254), allowNull: false },
      role: { type: DataTypes.STRING(16), allowNull: false },
      passwordHash: { type: DataTypes.STRING(255), allowNull: false },
      tokenVersion: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    },
    { tableName: 'users', modelName: 'User' },
  );
}

import { bindModel } from '@fedstack/kit';
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/**
 * One entry of the revocation feed that gateways follow. With a `sessionId`, the access tokens of
 * that login end (logout, refresh-token reuse); with a `minTokenVersion`, every access token of the
 * account issued under a lower version ends (role or password change, deletion). An entry matters
 * only until `expiresAt`, when every token it could refuse has expired anyway.
 */
export class Revocation extends Model<
  InferAttributes<Revocation>,
  InferCreationAttributes<Revocation>
> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare sessionId: string | null;
  declare minTokenVersion: number | null;
  declare reason: string;
  declare createdAt: CreationOptional<Date>;
  declare expiresAt: Date;
}

export type RevocationModel = typeof Revocation;

export function defineRevocationModel(sequelize: Sequelize): RevocationModel {
  return bindModel(
    Revocation,
    sequelize,
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      userId: { type: DataTypes.INTEGER, allowNull: false },
      sessionId: { type: DataTypes.STRING(36), allowNull: true },
      minTokenVersion: { type: DataTypes.INTEGER, allowNull: true },
      reason: { type: DataTypes.STRING(32), allowNull: false },
      createdAt: DataTypes.DATE,
      expiresAt: { type: DataTypes.DATE, allowNull: false },
    },
    { tableName: 'revocations', modelName: 'Revocation', updatedAt: false },
  );
}

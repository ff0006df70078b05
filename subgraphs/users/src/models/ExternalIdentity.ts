import { bindEntityModel } from '@fedstack/kit';
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** A user of an external issuer, by (issuer, subject), and the local account they act as. */
export class ExternalIdentity extends Model<
  InferAttributes<ExternalIdentity>,
  InferCreationAttributes<ExternalIdentity>
> {
  declare id: CreationOptional<number>;
  declare issuer: string;
  declare subject: string;
  declare userId: number;
  /** The `iat` (seconds) of the token that last set the account's role; null: unknown. */
  declare roleIssuedAt: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export type ExternalIdentityModel = typeof ExternalIdentity;

export function defineExternalIdentityModel(sequelize: Sequelize): ExternalIdentityModel {
  return bindEntityModel(
    ExternalIdentity,
    sequelize,
    {
      issuer: { type: DataTypes.STRING(255), allowNull: false },
      subject: { type: DataTypes.STRING(255), allowNull: false },
      userId: { type: DataTypes.INTEGER, allowNull: false },
      roleIssuedAt: {
        type: DataTypes.BIGINT,
        allowNull: true,
        // PostgreSQL hands BIGINT back as text.
        get(this: ExternalIdentity) {
          const raw = this.getDataValue('roleIssuedAt') as unknown;
          return raw === null || raw === undefined ? null : Number(raw);
        },
      },
    },
    { tableName: 'external_identities', modelName: 'ExternalIdentity' },
  );
}

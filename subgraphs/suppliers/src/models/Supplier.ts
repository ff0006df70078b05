import { bindEntityModel, type RowOf } from '@fedstack/kit';
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** One supplier row. `createdById` is an opaque user id owned by the users subgraph. */
export class Supplier extends Model<InferAttributes<Supplier>, InferCreationAttributes<Supplier>> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare surname: string;
  declare address: string;
  declare createdById: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export type SupplierStatic = typeof Supplier;

export type SupplierRow = RowOf<Supplier>;

/** The `Supplier` model bound to one database (see `bindEntityModel`). */
export function defineSupplierModel(sequelize: Sequelize): SupplierStatic {
  return bindEntityModel(
    Supplier,
    sequelize,
    {
      name: { type: DataTypes.STRING(100), allowNull: false },
      surname: { type: DataTypes.STRING(100), allowNull: false },
      address: { type: DataTypes.STRING(300), allowNull: false },
      createdById: { type: DataTypes.STRING(64), allowNull: true },
    },
    { modelName: 'Supplier', tableName: 'suppliers' },
  );
}

import { bindModel } from '@fedstack/kit';
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

/**
 * A supplier's columns as a plain object: what reads that never change a row load (a model
 * instance costs several times the row), and what resolvers take; a model instance is one too.
 */
export type SupplierRow = InferAttributes<Supplier>;

/**
 * The `Supplier` model bound to `sequelize`. Each database gets its own subclass, because a
 * Sequelize model class holds one connection in static state and tests run several databases in
 * one process; asking twice for the same database returns the same class.
 */
export function defineSupplierModel(sequelize: Sequelize): SupplierStatic {
  return bindModel(
    Supplier,
    sequelize,
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      name: { type: DataTypes.STRING(100), allowNull: false },
      surname: { type: DataTypes.STRING(100), allowNull: false },
      address: { type: DataTypes.STRING(300), allowNull: false },
      createdById: { type: DataTypes.STRING(64), allowNull: true },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { modelName: 'Supplier', tableName: 'suppliers', timestamps: true },
  );
}

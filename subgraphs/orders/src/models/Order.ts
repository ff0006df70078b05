import { bindModel } from '@fedstack/kit';
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export const ORDER_STATUSES = ['PENDING', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** One order row. `userId` and `supplierId` are opaque ids owned by other subgraphs. */
export class Order extends Model<InferAttributes<Order>, InferCreationAttributes<Order>> {
  declare id: CreationOptional<number>;
  declare userId: string;
  declare supplierId: string | null;
  declare item: string;
  declare quantity: number;
  declare status: CreationOptional<OrderStatus>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export type OrderStatic = typeof Order;

/**
 * An order's columns as a plain object: what reads that never change a row load (a model
 * instance costs several times the row), and what resolvers take; a model instance is one too.
 */
export type OrderRow = InferAttributes<Order>;

/**
 * The `Order` model bound to `sequelize`. Each database gets its own subclass, because a Sequelize
 * model class holds one connection in static state and tests run several databases in one process;
 * asking twice for the same database returns the same class.
 */
export function defineOrderModel(sequelize: Sequelize): OrderStatic {
  return bindModel(
    Order,
    sequelize,
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      userId: { type: DataTypes.STRING(64), allowNull: false },
      supplierId: { type: DataTypes.STRING(64), allowNull: true },
      item: { type: DataTypes.STRING(200), allowNull: false },
      quantity: { type: DataTypes.INTEGER, allowNull: false },
      status: {
        type: DataTypes.STRING(16),
        allowNull: false,
        defaultValue: 'PENDING',
        validate: { isIn: [[...ORDER_STATUSES]] },
      },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { modelName: 'Order', tableName: 'orders', timestamps: true },
  );
}

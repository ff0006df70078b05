import { bindEntityModel, type RowOf } from '@fedstack/kit';
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

export type OrderRow = RowOf<Order>;

/** The `Order` model bound to one database (see `bindEntityModel`). */
export function defineOrderModel(sequelize: Sequelize): OrderStatic {
  return bindEntityModel(
    Order,
    sequelize,
    {
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
    },
    { modelName: 'Order', tableName: 'orders' },
  );
}

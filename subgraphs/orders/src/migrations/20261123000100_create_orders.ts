import type { Migration } from '@fedstack/kit';

/** The `orders` table, with an index that serves "this user's orders, in id order". */
export const createOrders: Migration = {
  name: '20261123000100_create_orders',
  async up({ queryInterface, DataTypes }) {
    await queryInterface.createTable('orders', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
      userId: { type: DataTypes.STRING(64), allowNull: false },
      supplierId: { type: DataTypes.STRING(64), allowNull: true },
      item: { type: DataTypes.STRING(200), allowNull: false },
      quantity: { type: DataTypes.INTEGER, allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'PENDING' },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    });
    await queryInterface.addIndex('orders', ['userId', 'id'], { name: 'orders_user_id' });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('orders');
  },
};

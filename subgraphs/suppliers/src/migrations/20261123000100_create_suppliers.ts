import type { Migration } from '@fedstack/kit';

/** The `suppliers` table, with an index that serves "suppliers this user created, in id order". */
export const createSuppliers: Migration = {
  name: '20261123000100_create_suppliers',
  async up({ queryInterface, DataTypes }) {
    await queryInterface.createTable('suppliers', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
      name: { type: DataTypes.STRING(100), allowNull: false },
      surname: { type: DataTypes.STRING(100), allowNull: false },
      address: { type: DataTypes.STRING(300), allowNull: false },
      createdById: { type: DataTypes.STRING(64), allowNull: true },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    });
    await queryInterface.addIndex('suppliers', ['createdById', 'id'], {
      name: 'suppliers_created_by_id',
    });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('suppliers');
  },
};

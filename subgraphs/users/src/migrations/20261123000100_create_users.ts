import type { Migration } from '@fedstack/kit';

export const createUsers: Migration = {
  name: '20261123000100_create_users',
  async up({ queryInterface, DataTypes }) {
    await queryInterface.createTable('users', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      username: { type: DataTypes.STRING(32), allowNull: false },
      usernameKey: { type: DataTypes.STRING(32), allowNull: false },
      email: { type: DataTypes.STRING(254), allowNull: false },
      role: { type: DataTypes.STRING(16), allowNull: false },
      passwordHash: { type: DataTypes.STRING(255), allowNull: false },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    });
    await queryInterface.addIndex('users', ['usernameKey'], {
      unique: true,
      name: 'users_username_key',
    });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('users');
  },
};

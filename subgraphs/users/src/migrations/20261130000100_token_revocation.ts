import type { Migration } from '@fedstack/kit';

/**
 * Token revocation: every account gets a token version, which access tokens carry as `ver` and
 * which goes up when the account's authority changes (role, password, deletion); and a table of
 * revocations, the feed that gateways follow to refuse access tokens issued before.
 */
export const tokenRevocation: Migration = {
  name: '20261130000100_token_revocation',
  async up({ queryInterface, DataTypes }) {
    await queryInterface.addColumn('users', 'tokenVersion', {
      type: DataTypes.INTEGER,
      allowNull: false,
      defaultValue: 0,
    });
    await queryInterface.createTable('revocations', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      // No foreign key: the revocation of a deleted account must outlive its row.
      userId: { type: DataTypes.INTEGER, allowNull: false },
      sessionId: { type: DataTypes.STRING(36), allowNull: true },
      minTokenVersion: { type: DataTypes.INTEGER, allowNull: true },
      reason: { type: DataTypes.STRING(32), allowNull: false },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
    });
    await queryInterface.addIndex('revocations', ['createdAt'], {
      name: 'revocations_created_at',
    });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('revocations');
    await queryInterface.removeColumn('users', 'tokenVersion');
  },
};

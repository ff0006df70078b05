import type { Migration } from '@fedstack/kit';

export const createRefreshTokens: Migration = {
  name: '20261123000200_create_refresh_tokens',
  async up({ queryInterface, DataTypes }) {
    await queryInterface.createTable('refresh_tokens', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      userId: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      familyId: { type: DataTypes.STRING(36), allowNull: false },
      tokenHash: { type: DataTypes.STRING(64), allowNull: false },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      usedAt: { type: DataTypes.DATE, allowNull: true },
      revokedAt: { type: DataTypes.DATE, allowNull: true },
      createdAt: { type: DataTypes.DATE, allowNull: false },
    });
    await queryInterface.addIndex('refresh_tokens', ['tokenHash'], {
      unique: true,
      name: 'refresh_tokens_token_hash',
    });
    await queryInterface.addIndex('refresh_tokens', ['familyId'], {
      name: 'refresh_tokens_family',
    });
    await queryInterface.addIndex('refresh_tokens', ['userId'], { name: 'refresh_tokens_user' });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('refresh_tokens');
  },
};

import type { Migration } from '@fedstack/kit';

/**
 * External identities: a user of an external OpenID Connect issuer, by (issuer, subject), linked
 * to the local account created for them on first sight. The pair is unique, so that two first
 * sightings at once create one account.
 */
export const externalIdentities: Migration = {
  name: '20261130000200_external_identities',
  async up({ queryInterface, DataTypes }) {
    await queryInterface.createTable('external_identities', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      issuer: { type: DataTypes.STRING(255), allowNull: false },
      subject: { type: DataTypes.STRING(255), allowNull: false },
      // No foreign key, as for revocations: a deleted account's link is replaced on next sight.
      userId: { type: DataTypes.INTEGER, allowNull: false },
      // The `iat` (seconds) of the token that last set the account's role.
      roleIssuedAt: { type: DataTypes.BIGINT, allowNull: true },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    });
    await queryInterface.addIndex('external_identities', ['issuer', 'subject'], {
      name: 'external_identities_issuer_subject',
      unique: true,
    });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('external_identities');
  },
};

import type { Migration } from '@fedstack/kit';
import { createUsers } from './20261123000100_create_users';
import { createRefreshTokens } from './20261123000200_create_refresh_tokens';
import { tokenRevocation } from './20261130000100_token_revocation';
import { externalIdentities } from './20261130000200_external_identities';

/** Every migration of the users database, oldest first. */
export const migrations: Migration[] = [
  createUsers,
  createRefreshTokens,
  tokenRevocation,
  externalIdentities,
];

import { badUserInput, type Database } from '@fedstack/kit';
import { UniqueConstraintError } from 'sequelize';
import { hashPassword } from './auth/passwords';
import { readStrongPassword } from './auth/strongPassword';
import { defineModels } from './models';
import { readEmail, readUsername } from './userInput';

export interface NewAdmin {
  username: string;
  /** Defaults to `<username>@localhost`. */
  email?: string | undefined;
  password: string;
}

/**
 * Creates an ADMIN account in the users database, validated as the GraphQL API validates
 * accounts (plus `readStrongPassword`) and hashed with argon2id; the way to the first admin of a
 * production database. A taken username (in any case) is refused and nothing is written. Errors
 * name the field: `username`, `email` or `password`.
 */
export async function createAdmin(
  db: Database,
  input: NewAdmin,
): Promise<{ id: number; username: string; email: string }> {
  const username = readUsername('username', input.username);
  const email = readEmail('email', input.email ?? `${username}@localhost`);
  const password = readStrongPassword('password', input.password, username);
  const { User } = defineModels(db.sequelize);
  const usernameKey = username.toLowerCase();
  const taken = () =>
    badUserInput('username', `"${username}" is already taken; nothing was changed`);
  if (await User.findOne({ where: { usernameKey } })) throw taken();
  const passwordHash = await hashPassword(password);
  try {
    const user = await db.write((transaction) =>
      User.create({ username, usernameKey, email, role: 'ADMIN', passwordHash }, { transaction }),
    );
    return { id: user.id, username: user.username, email: user.email };
  } catch (error) {
    // Created by someone else between the check and the insert.
    if (error instanceof UniqueConstraintError) throw taken();
    throw error;
  }
}

import type { Database, Logger, Role, SeedRefs } from '@fedstack/kit';
import { hashPassword } from './auth/passwords';
import { defineModels } from './models';

/** The development accounts that CONTRACT.md and the README list; refused in production. */
export const SEED_ACCOUNTS: ReadonlyArray<{
  username: 'admin' | 'alice' | 'bob';
  password: string;
  role: Role;
}> = [
  { username: 'admin', password: 'admin-password', role: 'ADMIN' },
  { username: 'alice', password: 'alice-password', role: 'USER' },
  { username: 'bob', password: 'bob-password', role: 'USER' },
];

/** Creates the seed accounts unless the database already holds users; returns their ids. */
export async function seedUsers(db: Database, refs: SeedRefs, logger: Logger): Promise<SeedRefs> {
  const { User } = defineModels(db.sequelize);
  if ((await User.count()) === 0) {
    const rows = await Promise.all(
      SEED_ACCOUNTS.map(async (account) => ({
        username: account.username,
        usernameKey: account.username,
        email: `${account.username}@example.com`,
        role: account.role,
        passwordHash: await hashPassword(account.password),
      })),
    );
    await db.write((transaction) => User.bulkCreate(rows, { transaction }));
    logger.info({ accounts: SEED_ACCOUNTS.map((account) => account.username) }, 'seeded users');
  }
  const seeded = await User.findAll({
    where: { usernameKey: SEED_ACCOUNTS.map((a) => a.username) },
  });
  const idOf = (name: string) => seeded.find((user) => user.usernameKey === name)?.id;
  const [admin, alice, bob] = [idOf('admin'), idOf('alice'), idOf('bob')];
  if (admin === undefined || alice === undefined || bob === undefined) return refs;
  return { ...refs, users: { admin: String(admin), alice: String(alice), bob: String(bob) } };
}

import { postgresSkipReason, testPostgresUrl } from '@fedstack/kit/testing';
import { QueryTypes, Sequelize } from 'sequelize';

/**
 * Runs once before every Jest run. Says once whether the PostgreSQL variants of the database
 * suites run, and when `TEST_POSTGRES_URL` is set, checks that its server answers, so that a dead
 * server fails the run in one line instead of in every suite.
 */
export default async function globalSetup(): Promise<void> {
  const url = testPostgresUrl();
  if (!url) {
    console.log(`\nPostgreSQL tests skipped: ${postgresSkipReason() ?? ''}\n`);
    return;
  }
  const admin = new Sequelize(url, {
    dialect: 'postgres',
    logging: false,
    pool: { max: 1 },
    dialectOptions: { connectionTimeoutMillis: 10_000 },
  });
  try {
    const [row] = await admin.query<{ version: string }>(
      `SELECT current_setting('server_version') AS version`,
      { type: QueryTypes.SELECT },
    );
    const version = row?.version ?? 'unknown';
    console.log(`\nPostgreSQL tests run on PostgreSQL ${version} (TEST_POSTGRES_URL)\n`);
  } catch (error) {
    throw new Error(
      `TEST_POSTGRES_URL is set but its server does not answer: ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    await admin.close();
  }
}

import { prepareDatabases } from './prepare';
import { scriptLogger } from './scriptLogger';

/** `npm run seed`: migrates, then loads the development seed into databases that hold no users. */
async function main(): Promise<void> {
  if (process.env.NODE_ENV === 'production') {
    throw new Error(
      'the development seed (with its well-known passwords) is refused when NODE_ENV=production',
    );
  }
  const logger = scriptLogger('seed');
  const refs = await prepareDatabases({ seed: true, logger });
  logger.info({ refs }, 'seed done');
}

main().catch((error: unknown) => {
  console.error(`seed failed: ${(error as Error).message}`);
  process.exit(1);
});

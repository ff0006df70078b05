import {
  migrateSubgraph,
  openSubgraphDatabase,
  type Logger,
  type SeedRefs,
  type SubgraphDefinition,
} from '@fedstack/kit';
import { scriptLogger } from './scriptLogger';
import { SUBGRAPHS } from './subgraphs';

/**
 * Migrates every subgraph's database and, unless `seed` is false, loads the development seed,
 * handing each subgraph's seeded ids to the next. Idempotent. Logs through `logger`, by default
 * `scriptLogger('prepare')` (JSON lines unless stdout is a terminal).
 */
export async function prepareDatabases(options: {
  seed: boolean;
  logger?: Logger;
  subgraphs?: SubgraphDefinition[];
}): Promise<SeedRefs> {
  const logger = options.logger ?? scriptLogger('prepare');
  let refs: SeedRefs = {};
  for (const definition of options.subgraphs ?? SUBGRAPHS) {
    const config = definition.readConfig();
    const db = await openSubgraphDatabase(config);
    try {
      const applied = await migrateSubgraph(definition, db);
      if (applied.length > 0) logger.info({ subgraph: definition.name, applied }, 'migrated');
      if (options.seed)
        refs = await definition.seed(db, refs, logger.child({ subgraph: definition.name }));
    } finally {
      await db.close();
    }
  }
  return refs;
}

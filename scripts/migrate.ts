import { createMigrator, openSubgraphDatabase } from '@fedstack/kit';
import { scriptLogger } from './scriptLogger';
import { SUBGRAPHS } from './subgraphs';

/**
 * `npm run migrate [-- up|down|status] [subgraph ...]`: applies every pending migration (up,
 * the default), reverts the last one (down) or lists applied and pending ones (status), for the
 * named subgraphs or all of them. Logs one line per subgraph, JSON unless stdout is a terminal.
 */
async function main(): Promise<void> {
  const [first, ...rest] = process.argv.slice(2);
  const command = first === 'up' || first === 'down' || first === 'status' ? first : 'up';
  const names = command === first ? rest : process.argv.slice(2);
  const unknown = names.filter((name) => !SUBGRAPHS.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown subgraph ${unknown.join(', ')}; expected one of ${SUBGRAPHS.map((s) => s.name).join(', ')}`,
    );
  }
  const logger = scriptLogger('migrate');
  for (const definition of SUBGRAPHS.filter((s) => names.length === 0 || names.includes(s.name))) {
    const db = await openSubgraphDatabase(definition.readConfig());
    try {
      const migrator = createMigrator(db, definition.migrations);
      if (command === 'status') {
        const executed = (await migrator.executed()).map((m) => m.name);
        const pending = (await migrator.pending()).map((m) => m.name);
        logger.info(
          { subgraph: definition.name, applied: executed, pending },
          `${definition.name}: applied [${executed.join(', ')}], pending [${pending.join(', ')}]`,
        );
      } else {
        const done = command === 'up' ? await migrator.up() : await migrator.down();
        const verb = command === 'up' ? 'applied' : 'reverted';
        const changed = done.map((m) => m.name);
        logger.info(
          { subgraph: definition.name, [verb]: changed },
          `${definition.name}: ${verb} ${changed.length === 0 ? 'nothing' : changed.join(', ')}`,
        );
      }
    } finally {
      await db.close();
    }
  }
}

main().catch((error: unknown) => {
  console.error(`migrate failed: ${(error as Error).message}`);
  process.exit(1);
});

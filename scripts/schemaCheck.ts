import { parseArgs } from 'node:util';
import { checkSchemas, formatSchemaCheck } from './checkSchemas';

/**
 * `npm run schema:check [-- --base <rev>] [--head <rev>]`: compares the subgraph schemas and the
 * supergraph's API schema of the working tree (or of `--head`) with a base revision, prints every
 * change with its criticality and exits 1 on a breaking one that no `Schema-Break:` trailer (or
 * SCHEMA_BREAK=<reason>) marks as intended. The base defaults to SCHEMA_CHECK_BASE, else see
 * `resolveBase`. Runs in the current directory, which must be the repository's root.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { base: { type: 'string' }, head: { type: 'string' } },
  });
  const base = values.base ?? (process.env.SCHEMA_CHECK_BASE || undefined);
  const intendedReason = process.env.SCHEMA_BREAK?.trim() || undefined;
  const result = await checkSchemas({
    repoDir: process.cwd(),
    ...(base ? { base } : {}),
    ...(values.head ? { head: values.head } : {}),
    ...(intendedReason ? { intendedReason } : {}),
  });
  process.stdout.write(`${formatSchemaCheck(result)}\n`);
  if (!result.ok) process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`schema check failed: ${(error as Error).message}\n`);
  process.exit(1);
});

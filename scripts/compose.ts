import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { composeSupergraph } from './composeSupergraph';

/** `npm run compose`: writes supergraph.graphql from supergraph.yaml, or prints why it cannot. */
const configPath = resolve(process.argv[2] ?? 'supergraph.yaml');
const outputPath = resolve(process.argv[3] ?? 'supergraph.graphql');

try {
  const result = composeSupergraph(configPath);
  if (!result.ok) {
    process.stderr.write(`Composition failed with ${result.errors.length} error(s):\n`);
    for (const error of result.errors) process.stderr.write(`  - ${error}\n`);
    process.exit(1);
  }
  writeFileSync(outputPath, result.supergraphSdl);
  process.stdout.write(`Wrote ${outputPath}\n`);
} catch (error) {
  process.stderr.write(`Composition failed: ${(error as Error).message}\n`);
  process.exit(1);
}

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { scaffoldSubgraph } from './newSubgraph/scaffold';

const USAGE = `Usage: npm run new-subgraph -- <name> [--entity <Type>] [--port <port>]

  <name>           the subgraph: lower-case letters, digits and dashes (e.g. reviews)
  --entity <Type>  the entity it stores (default: the PascalCase singular of the name, Review)
  --port <port>    its port (default: one above the highest port in supergraph.yaml)
`;

/** `npm run new-subgraph -- <name>`: scaffolds a subgraph shaped like the others. */
async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      entity: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (positionals.length !== 1) {
    throw new Error(`expected one subgraph name, got ${positionals.length}\n\n${USAGE}`);
  }
  if (values.port !== undefined && !/^\d+$/.test(values.port)) {
    throw new Error(`--port must be a whole number, got "${values.port}"`);
  }
  const result = await scaffoldSubgraph({
    root: resolve(__dirname, '..'),
    name: positionals[0]!,
    entity: values.entity,
    port: values.port === undefined ? undefined : Number(values.port),
  });
  const { names: n, port } = result;
  const list = (paths: string[]) => paths.map((path) => `  ${path}\n`).join('');
  process.stdout.write(
    `Scaffolded the ${n.name} subgraph (entity ${n.entity}, port ${port}).\n\n` +
      `Created:\n${list(result.created)}\nEdited:\n${list(result.edited)}\n` +
      `Root fields: ${n.rootFields.join(', ')}; User.${n.plural}.\n\n` +
      `Next:\n` +
      `  npm install        links @fedstack/${n.name} into node_modules\n` +
      `  npm start          migrates, seeds and starts it with the others\n` +
      `  npm test           its tests in subgraphs/${n.name}/src/__tests__ run with the rest\n` +
      `Then make it yours: the fields in subgraphs/${n.name}/schema.graphql (and \`npm run codegen\`),\n` +
      `the model and a new migration, the rules in src/resolvers/Mutation.ts, the operations.\n`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`new-subgraph: ${(error as Error).message}\n`);
  process.exit(1);
});

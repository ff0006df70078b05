import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Kind, parse, type DocumentNode } from 'graphql';
import { composeSubgraphs, composeSupergraph, readSupergraphConfig } from '../composeSupergraph';
import { writeSupergraph } from '../writeSupergraph';
import { operationFiles, operationVariables } from './deployFiles';
import {
  editCompose,
  editDockerfile,
  editEnvExample,
  editGatewayManifest,
  editKustomization,
  editNetworkPolicies,
  editOperationVariables,
  editRootPackage,
  editSupergraphConfig,
  kubernetesManifest,
} from './edits';
import { namesOf, type Names } from './names';
import { migrationName, subgraphFiles } from './subgraphFiles';

export interface ScaffoldOptions {
  /** The repository root: where supergraph.yaml and package.json are. */
  root: string;
  name: string;
  /** The entity type; default the PascalCase singular of the name. */
  entity?: string;
  /** Default: one above the highest port of supergraph.yaml's routing URLs. */
  port?: number;
  /** Dates the migration; default now. */
  now?: Date;
}

export interface ScaffoldResult {
  names: Names;
  port: number;
  /** Paths relative to the root. */
  created: string[];
  edited: string[];
}

/** What a new subgraph's package.json depends on, at the versions the other subgraphs use. */
const DEPENDENCIES = ['@fedstack/kit', 'dataloader', 'graphql', 'sequelize'];
/** The gateway's default port, which no subgraph may take. */
const GATEWAY_PORT = 4000;

/** The fields of each object type of a composed supergraph, by type name. */
function fieldsByType(document: DocumentNode): Map<string, Set<string>> {
  const types = new Map<string, Set<string>>();
  for (const definition of document.definitions) {
    if (!('name' in definition) || !definition.name) continue;
    const fields = types.get(definition.name.value) ?? new Set<string>();
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION) {
      for (const field of definition.fields ?? []) fields.add(field.name.value);
    }
    types.set(definition.name.value, fields);
  }
  return types;
}

/**
 * Checks everything that can be checked before a file is written; returns the port and the
 * dependencies, or throws naming the problem.
 */
function preflight(root: string, n: Names, port: number | undefined) {
  const configPath = join(root, 'supergraph.yaml');
  const subgraphs = readSupergraphConfig(configPath);
  if (subgraphs.some((subgraph) => subgraph.name === n.name)) {
    throw new Error(`subgraph "${n.name}" is already in supergraph.yaml`);
  }
  const dir = join(root, 'subgraphs', n.name);
  if (existsSync(dir)) throw new Error(`subgraphs/${n.name} already exists`);

  const ports = new Map(subgraphs.map((s) => [Number(new URL(s.routingUrl).port), s.name]));
  const chosen = port ?? Math.max(GATEWAY_PORT, ...ports.keys()) + 1;
  if (!Number.isInteger(chosen) || chosen < 1 || chosen > 65535) {
    throw new Error(`--port must be a whole number from 1 to 65535, got ${port}`);
  }
  if (ports.has(chosen)) {
    throw new Error(
      `port ${chosen} is already used by subgraph ${ports.get(chosen)} (supergraph.yaml)`,
    );
  }
  if (chosen === GATEWAY_PORT) throw new Error(`port ${chosen} is the gateway's`);

  const current = composeSupergraph(configPath);
  if (!current.ok) {
    throw new Error(`supergraph.yaml does not compose as it is:\n  ${current.errors.join('\n  ')}`);
  }
  const types = fieldsByType(parse(current.supergraphSdl));
  const taken = [
    ...n.rootFields.filter((field) => {
      const [type, name] = field.split('.') as [string, string];
      return types.get(type)?.has(name);
    }),
    ...(types.get('User')?.has(n.plural) ? [`User.${n.plural}`] : []),
    ...n.types.filter((type) => types.has(type)).map((type) => `type ${type}`),
  ];
  if (taken.length > 0) {
    throw new Error(
      `${taken.join(', ')} already ${taken.length === 1 ? 'exists' : 'exist'} in the supergraph; pick another --entity`,
    );
  }
  for (const file of Object.keys(operationFiles(n))) {
    if (existsSync(join(root, 'operations', file)))
      throw new Error(`operations/${file} already exists`);
  }

  const dependencies: Record<string, string> = {};
  for (const subgraph of subgraphs) {
    const pkg = JSON.parse(
      readFileSync(join(dirname(subgraph.schemaFile), 'package.json'), 'utf8'),
    ) as {
      dependencies?: Record<string, string>;
    };
    for (const name of DEPENDENCIES) {
      const version = pkg.dependencies?.[name];
      if (version && !dependencies[name]) dependencies[name] = version;
    }
  }
  const missing = DEPENDENCIES.filter((name) => !dependencies[name]);
  if (missing.length > 0) {
    throw new Error(`no subgraph's package.json names a version of ${missing.join(', ')}`);
  }
  return {
    port: chosen,
    subgraphs,
    dependencies: Object.fromEntries(DEPENDENCIES.map((d) => [d, dependencies[d]!])),
  };
}

/** The new schema composed with the existing ones, in memory; throws with composition's errors. */
function checkComposes(
  subgraphs: ReturnType<typeof readSupergraphConfig>,
  n: Names,
  port: number,
  schema: string,
): void {
  const result = composeSubgraphs([
    ...subgraphs,
    {
      name: n.name,
      routingUrl: `http://localhost:${port}/graphql`,
      schemaFile: `subgraphs/${n.name}/schema.graphql`,
      schema,
    },
  ]);
  if (!result.ok) {
    throw new Error(`the generated schema would not compose:\n  ${result.errors.join('\n  ')}`);
  }
}

/** `text` as `npm run format` would write `file`; as it is for a file prettier does not format. */
async function format(root: string, file: string, text: string): Promise<string> {
  // Loaded only here: prettier's module imports dynamically as it loads, which a test runner
  // without ES module support cannot do, and the checks before any write do not need it.
  const prettier = await import('prettier');
  const info = await prettier.getFileInfo(file, { ignorePath: join(root, '.prettierignore') });
  if (info.ignored || !info.inferredParser) return text;
  const config = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...config, filepath: file });
}

/**
 * Scaffolds subgraph `name`: its workspace, the shared files that list the subgraphs, its
 * resolver types and the composed supergraph. Checks first and writes nothing when a check fails.
 */
export async function scaffoldSubgraph(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const { root } = options;
  const n = namesOf(options.name, options.entity);
  const { port, subgraphs, dependencies } = preflight(root, n, options.port);
  const existing = subgraphs.map((s) => s.name);
  const migration = migrationName(n, options.now ?? new Date());
  const files = subgraphFiles(n, { port, dependencies, migration });
  checkComposes(subgraphs, n, port, files['schema.graphql']!);

  const writes = new Map<string, string>();
  for (const [path, text] of Object.entries(files)) writes.set(`subgraphs/${n.name}/${path}`, text);
  writes.set(`deploy/kubernetes/${n.name}.yaml`, kubernetesManifest(n, port));
  for (const [file, text] of Object.entries(operationFiles(n)))
    writes.set(`operations/${file}`, text);
  const created = [...writes.keys()];

  const read = (path: string) => readFileSync(join(root, path), 'utf8');
  const edits: Array<[string, (text: string) => string]> = [
    ['supergraph.yaml', (text) => editSupergraphConfig(text, n, port)],
    ['package.json', (text) => editRootPackage(text, n)],
    ['Dockerfile', (text) => editDockerfile(text, n, port)],
    ['docker-compose.yml', (text) => editCompose(text, n, port, existing)],
    ['.env.example', (text) => editEnvExample(text, n)],
    ['deploy/kubernetes/kustomization.yaml', (text) => editKustomization(text, n, existing)],
    ['deploy/kubernetes/gateway.yaml', (text) => editGatewayManifest(text, n, port)],
    ['deploy/kubernetes/network-policies.yaml', (text) => editNetworkPolicies(text, n, port)],
    ['operations/variables.json', (text) => editOperationVariables(text, operationVariables(n))],
  ];
  // Every edit is computed before anything is written, so a refused one leaves the tree as it was.
  for (const [path, edit] of edits) writes.set(path, edit(read(path)));

  const formatted = new Map<string, string>();
  for (const [path, text] of writes)
    formatted.set(path, await format(root, join(root, path), text));
  for (const [path, text] of formatted) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }

  const codegen = spawnSync('npm', ['run', '-s', 'codegen'], { cwd: root, encoding: 'utf8' });
  if (codegen.status !== 0) {
    throw new Error(`npm run codegen failed:\n${codegen.stdout}${codegen.stderr}`);
  }
  created.push(`subgraphs/${n.name}/src/generated/graphql.ts`);
  const composed = composeSupergraph(join(root, 'supergraph.yaml'));
  if (!composed.ok) throw new Error(`composition failed:\n  ${composed.errors.join('\n  ')}`);
  writeSupergraph(join(root, 'supergraph.graphql'), composed.supergraphSdl);

  return {
    names: n,
    port,
    created,
    edited: [...edits.map(([path]) => path), 'supergraph.graphql'].map((path) =>
      relative(root, join(root, path)),
    ),
  };
}

import { parse, parseDocument } from 'yaml';
import {
  composeDatabase,
  composeService,
  envExampleEntry,
  kubernetesManifest,
  networkPolicy,
} from './deployFiles';
import type { Names } from './names';

/**
 * Edits of the shared files, each a function of the file's text: new lines go in after the last
 * entry of their kind, so comments and layout stay as they are. A file that no longer looks as
 * expected is refused with its name and what was looked for, never half-edited.
 */

function lineIndex(lines: string[], file: string, what: string, test: (line: string) => boolean) {
  let found = -1;
  lines.forEach((line, index) => {
    if (test(line)) found = index;
  });
  if (found < 0) throw new Error(`${file}: found no ${what}; add the subgraph there by hand`);
  return found;
}

/** Inserts `insertion` (one or more lines) after the last line passing `test`. */
function insertAfterLast(
  text: string,
  file: string,
  what: string,
  test: (line: string) => boolean,
  insertion: string,
): string {
  const lines = text.split('\n');
  const at = lineIndex(lines, file, what, test);
  lines.splice(at + 1, 0, ...insertion.replace(/\n$/, '').split('\n'));
  return lines.join('\n');
}

/** The index just past the block that starts at `start` (lines indented deeper, or blank). */
function blockEnd(lines: string[], start: number): number {
  const indent = /^ */.exec(lines[start] ?? '')?.[0].length ?? 0;
  let end = start + 1;
  while (end < lines.length) {
    const line = lines[end] ?? '';
    if (line.trim() !== '' && (/^ */.exec(line)?.[0].length ?? 0) <= indent) break;
    end += 1;
  }
  while (end > start + 1 && (lines[end - 1] ?? '').trim() === '') end -= 1;
  return end;
}

/** supergraph.yaml with the subgraph appended. */
export function editSupergraphConfig(text: string, n: Names, port: number): string {
  const doc = parseDocument(text);
  doc.setIn(['subgraphs', n.name], {
    routing_url: `http://localhost:${port}/graphql`,
    schema: { file: `./subgraphs/${n.name}/schema.graphql` },
  });
  return doc.toString();
}

/** The root package.json with the workspace after the last subgraph's. */
export function editRootPackage(text: string, n: Names): string {
  const pkg = JSON.parse(text) as { workspaces?: string[] };
  const workspaces = pkg.workspaces ?? [];
  const last = workspaces.map((w) => w.startsWith('subgraphs/')).lastIndexOf(true);
  workspaces.splice(last < 0 ? workspaces.length : last + 1, 0, `subgraphs/${n.name}`);
  pkg.workspaces = workspaces;
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** The Dockerfile: its package.json copied in the deps stage, its port exposed. */
export function editDockerfile(text: string, n: Names, port: number): string {
  const copied = insertAfterLast(
    text,
    'Dockerfile',
    'COPY <workspace>/package.json <workspace>/ line',
    (line) => /^COPY (\S+)\/package\.json \1\/$/.test(line),
    `COPY subgraphs/${n.name}/package.json subgraphs/${n.name}/`,
  );
  return copied.replace(/^EXPOSE (.*)$/m, (line, ports: string) =>
    ports.split(/\s+/).includes(String(port)) ? line : `EXPOSE ${ports} ${port}`,
  );
}

/**
 * docker-compose.yml: the `<name>-db` server after the last database, the `<name>` service after
 * the last subgraph, its volume, and the gateway's `<NAME>_URL` and `depends_on`.
 */
export function editCompose(text: string, n: Names, port: number, subgraphs: string[]): string {
  const file = 'docker-compose.yml';
  const lines = text.split('\n');
  const serviceAt = (test: (key: string) => boolean, what: string) =>
    lineIndex(lines, file, what, (line) => {
      const key = /^ {2}([a-z0-9-]+):$/.exec(line)?.[1];
      return key !== undefined && test(key);
    });
  const insertBlock = (afterServiceAt: number, block: string) => {
    const end = blockEnd(lines, afterServiceAt);
    lines.splice(end, 0, '', ...block.replace(/\n$/, '').split('\n'));
  };
  insertBlock(
    serviceAt(
      (key) => subgraphs.includes(key.replace(/-db$/, '')) && key.endsWith('-db'),
      'database service',
    ),
    composeDatabase(n),
  );
  insertBlock(
    serviceAt((key) => subgraphs.includes(key), 'subgraph service'),
    composeService(n, port),
  );
  let edited = lines.join('\n');
  edited = insertAfterLast(
    edited,
    file,
    '<NAME>_URL line of the gateway',
    (line) => /^ +[A-Z0-9_]+_URL: http:\/\/[a-z0-9-]+:\d+\/graphql$/.test(line),
    `      ${n.variables.url}: http://${n.name}:${port}/graphql`,
  );
  edited = insertAfterLast(
    edited,
    file,
    "subgraph in the gateway's depends_on",
    (line) => {
      const key = /^ {6}([a-z0-9-]+): \{ condition: service_healthy \}$/.exec(line)?.[1];
      return key !== undefined && subgraphs.includes(key);
    },
    `      ${n.name}: { condition: service_healthy }`,
  );
  edited = insertAfterLast(
    edited,
    file,
    'database volume',
    (line) => /^ {2}[a-z0-9-]+-db-data: \{\}$/.test(line),
    `  ${n.name}-db-data: {}`,
  );
  checkCompose(edited, n, port);
  return edited;
}

/** Throws unless the edited compose file holds everything the subgraph needs. */
function checkCompose(text: string, n: Names, port: number): void {
  const compose = parse(text, { merge: true }) as {
    services: Record<string, { environment?: Record<string, string>; depends_on?: object }>;
    volumes: Record<string, unknown>;
  };
  const gateway = compose.services.gateway;
  const missing = [
    compose.services[n.name]?.environment?.[n.variables.port] === String(port) ? '' : n.name,
    compose.services[`${n.name}-db`] ? '' : `${n.name}-db`,
    `${n.name}-db-data` in (compose.volumes ?? {}) ? '' : `volume ${n.name}-db-data`,
    gateway?.environment?.[n.variables.url] ? '' : `gateway ${n.variables.url}`,
    gateway?.depends_on && n.name in gateway.depends_on ? '' : 'gateway depends_on',
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new Error(`docker-compose.yml: the edit did not add ${missing.join(', ')}`);
  }
}

/** .env.example: the database password after the last one. */
export function editEnvExample(text: string, n: Names): string {
  return insertAfterLast(
    text,
    '.env.example',
    '<NAME>_DB_PASSWORD line',
    (line) => /^[A-Z0-9_]+_DB_PASSWORD=/.test(line),
    `\n${envExampleEntry(n)}`,
  );
}

/** deploy/kubernetes/kustomization.yaml: the manifest after the last subgraph's, and its Secret. */
export function editKustomization(text: string, n: Names, subgraphs: string[]): string {
  const file = 'deploy/kubernetes/kustomization.yaml';
  const listed = insertAfterLast(
    text,
    file,
    'subgraph manifest in resources',
    (line) => subgraphs.some((name) => line === `  - ${name}.yaml`),
    `  - ${n.name}.yaml`,
  );
  // The header lists the Secrets to create, one aligned line each.
  const secret = /^#( {3})([a-z0-9-]+-database)( +)key url( +)(.*)$/;
  const lines = listed.split('\n');
  const at = lines.map((line) => secret.test(line)).lastIndexOf(true);
  if (at >= 0) {
    const match = secret.exec(lines[at]!)!;
    const keyColumn = 4 + match[2]!.length + match[3]!.length;
    const usersColumn = keyColumn + 'key url'.length + match[4]!.length;
    const prefix = `#   ${n.name}-database`;
    const key = 'key url'.padEnd(usersColumn - keyColumn, ' ');
    const line = `${prefix.padEnd(Math.max(keyColumn, prefix.length + 1), ' ')}${key}${n.name} (${n.variables.databaseUrl})`;
    lines.splice(at + 1, 0, line);
  }
  return lines.join('\n');
}

/** deploy/kubernetes/gateway.yaml: `<NAME>_URL` after the last subgraph URL. */
export function editGatewayManifest(text: string, n: Names, port: number): string {
  const lines = text.split('\n');
  const at = lineIndex(lines, 'deploy/kubernetes/gateway.yaml', '<NAME>_URL variable', (line) =>
    /^ +value: http:\/\/[a-z0-9-]+:\d+\/graphql$/.test(line),
  );
  const indent = /^ */.exec(lines[at - 1] ?? '')?.[0] ?? '';
  lines.splice(
    at + 1,
    0,
    `${indent}- name: ${n.variables.url}`,
    `${indent}  value: http://${n.name}:${port}/graphql`,
  );
  return lines.join('\n');
}

/** deploy/kubernetes/network-policies.yaml: its policy after the last `<subgraph>-from-gateway`. */
export function editNetworkPolicies(text: string, n: Names, port: number): string {
  const documents = text.split(/^---\n/m);
  const at = documents
    .map((document) => /^ {2}name: [a-z0-9-]+-from-gateway$/m.test(document))
    .lastIndexOf(true);
  if (at < 0) {
    throw new Error(
      'deploy/kubernetes/network-policies.yaml: found no <subgraph>-from-gateway policy; add the subgraph there by hand',
    );
  }
  documents.splice(at + 1, 0, networkPolicy(n, port));
  return documents.join('---\n');
}

/** The new deploy/kubernetes/<name>.yaml. */
export { kubernetesManifest };

/** operations/variables.json with the examples of the new operations after the others. */
export function editOperationVariables(text: string, entries: Record<string, unknown>): string {
  const existing = JSON.parse(text) as Record<string, unknown>;
  const taken = Object.keys(entries).filter((name) => name in existing);
  if (taken.length > 0) {
    throw new Error(`operations/variables.json already has ${taken.join(', ')}`);
  }
  const end = text.lastIndexOf('}');
  const added = Object.entries(entries)
    .map(([name, value]) => `  ${JSON.stringify(name)}: ${JSON.stringify(value)}`)
    .join(',\n');
  return `${text.slice(0, end).trimEnd()},\n${added}\n}\n`;
}

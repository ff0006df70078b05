import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { composeSupergraph } from '../scripts/composeSupergraph';

const root = resolve(__dirname, '..');
const run = promisify(execFile);

/** Every temporary folder a test makes, removed when the file is done. */
const folders: string[] = [];
const tempFolder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'compose-'));
  folders.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe('composition', () => {
  it('the committed supergraph.graphql equals a fresh composition of supergraph.yaml', () => {
    const result = composeSupergraph(join(root, 'supergraph.yaml'));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const committed = readFileSync(join(root, 'supergraph.graphql'), 'utf8');
    // Run `npm run compose` and commit the result when this fails.
    expect(committed).toBe(result.supergraphSdl);
  });

  it('npm run compose prints readable composition errors and exits non-zero', async () => {
    const dir = tempFolder();
    writeFileSync(
      join(dir, 'a.graphql'),
      'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Query { thing: Thing }\ntype Thing @key(fields: "id") { id: ID! size: Int }',
    );
    writeFileSync(
      join(dir, 'b.graphql'),
      'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Query { other: Thing }\ntype Thing @key(fields: "id") { id: ID! size: String }',
    );
    writeFileSync(
      join(dir, 'supergraph.yaml'),
      'federation_version: =2.7.0\nsubgraphs:\n  a:\n    routing_url: http://localhost:1/graphql\n    schema:\n      file: ./a.graphql\n  b:\n    routing_url: http://localhost:2/graphql\n    schema:\n      file: ./b.graphql\n',
    );
    const failure = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'scripts/compose.ts'),
        join(dir, 'supergraph.yaml'),
        join(dir, 'out.graphql'),
      ],
      {
        cwd: root,
      },
    ).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).not.toBeNull();
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/Composition failed/);
    expect(failure?.stderr).toMatch(/Thing\.size/);
  });

  it('names a missing key of supergraph.yaml', () => {
    const dir = tempFolder();
    writeFileSync(
      join(dir, 'supergraph.yaml'),
      'subgraphs:\n  a:\n    schema:\n      file: ./a.graphql\n',
    );
    expect(() => composeSupergraph(join(dir, 'supergraph.yaml'))).toThrow(
      /subgraphs\.a\.routing_url/,
    );
  });
});

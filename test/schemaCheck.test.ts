import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { checkSchemas, diffSchemaTexts, formatSchemaCheck } from '../scripts/checkSchemas';
import { composeSupergraph } from '../scripts/composeSupergraph';

const root = resolve(__dirname, '..');
const run = promisify(execFile);

const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** git with a fixed identity and none of the machine's own configuration. */
const gitEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Schema Test',
  GIT_AUTHOR_EMAIL: 'schema@example.test',
  GIT_COMMITTER_NAME: 'Schema Test',
  GIT_COMMITTER_EMAIL: 'schema@example.test',
};
const git = (dir: string, ...args: string[]) =>
  execFileSync('git', args, { cwd: dir, env: gitEnv, encoding: 'utf8' });

const USERS_V1 = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type User @key(fields: "id") {
  id: ID!
  username: String!
  email: String
}
type Query {
  users: [User!]!
}
`;

/** Writes the users subgraph's SDL and the supergraph composed from it, as `npm run compose` does. */
function writeSchemas(dir: string, usersSdl: string): void {
  writeFileSync(join(dir, 'subgraphs/users/schema.graphql'), usersSdl);
  const result = composeSupergraph(join(dir, 'supergraph.yaml'));
  if (!result.ok) throw new Error(result.errors.join('\n'));
  writeFileSync(join(dir, 'supergraph.graphql'), result.supergraphSdl);
}

/** A repository whose main holds USERS_V1, with a branch `change` checked out. */
function repoWithMain(): string {
  const dir = mkdtempSync(join(tmpdir(), 'schema-check-'));
  folders.push(dir);
  mkdirSync(join(dir, 'subgraphs/users'), { recursive: true });
  writeFileSync(
    join(dir, 'supergraph.yaml'),
    'subgraphs:\n  users:\n    routing_url: http://localhost:4001/graphql\n    schema:\n      file: ./subgraphs/users/schema.graphql\n',
  );
  writeSchemas(dir, USERS_V1);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'Users');
  git(dir, 'checkout', '-q', '-b', 'change');
  return dir;
}

function commitChange(dir: string, usersSdl: string, message: string): void {
  writeSchemas(dir, usersSdl);
  git(dir, 'commit', '-q', '-a', '-m', message);
}

const withoutEmail = USERS_V1.replace('  email: String\n', '');

describe('schema check', () => {
  it('removing a field fails, naming the field, in the subgraph and in the supergraph', async () => {
    const dir = repoWithMain();
    commitChange(dir, withoutEmail, 'Drop the email');
    const result = await checkSchemas({ repoDir: dir });
    expect(result.ok).toBe(false);
    expect(result.notice).toMatch(/comparing with main/);
    expect(result.base).toBe(git(dir, 'rev-parse', 'main').trim());
    for (const file of ['subgraphs/users/schema.graphql', 'supergraph.graphql']) {
      const report = result.reports.find((entry) => entry.file === file);
      expect(report?.changes).toContainEqual(
        expect.objectContaining({ level: 'breaking', path: 'User.email' }),
      );
    }
    expect(result.breaking).toBe(2);
    expect(formatSchemaCheck(result)).toMatch(/breaking\s+User\.email: .*removed/);
  });

  it('adding a field passes, reported as safe', async () => {
    const dir = repoWithMain();
    commitChange(
      dir,
      USERS_V1.replace('  email: String\n', '  email: String\n  bio: String\n'),
      'Bio',
    );
    const result = await checkSchemas({ repoDir: dir });
    expect(result.ok).toBe(true);
    expect(result.breaking).toBe(0);
    expect(result.reports.find((entry) => entry.file === 'supergraph.graphql')?.changes).toEqual([
      expect.objectContaining({ level: 'safe', path: 'User.bio' }),
    ]);
  });

  it('a non-null output field that becomes nullable is reported', async () => {
    const changes = await diffSchemaTexts(
      'subgraph',
      'users',
      USERS_V1,
      USERS_V1.replace('username: String!', 'username: String'),
    );
    expect(changes).toEqual([
      expect.objectContaining({
        path: 'User.username',
        level: 'breaking',
        message: expect.stringMatching(/String!.*String/),
      }),
    ]);
  });

  it('federation directives alone are not changes of the API schema', async () => {
    const withShareable = USERS_V1.replace(
      'import: ["@key"]',
      'import: ["@key", "@shareable"]',
    ).replace('username: String!', 'username: String! @shareable');
    await expect(diffSchemaTexts('subgraph', 'users', USERS_V1, withShareable)).resolves.toEqual(
      [],
    );
  });

  it('a Schema-Break trailer on a commit of the branch lets a removal through', async () => {
    const dir = repoWithMain();
    commitChange(dir, withoutEmail, 'Drop the email\n\nSchema-Break: email moves to the profile');
    // A later commit without the trailer keeps the branch's mark.
    writeFileSync(join(dir, 'notes.txt'), 'later\n');
    git(dir, 'add', 'notes.txt');
    git(dir, 'commit', '-q', '-m', 'Notes');
    const result = await checkSchemas({ repoDir: dir });
    expect(result.breaking).toBe(2);
    expect(result.intended).toEqual(['email moves to the profile']);
    expect(result.ok).toBe(true);
  });

  it('a new subgraph file with no base version is added, not breaking', async () => {
    const dir = repoWithMain();
    mkdirSync(join(dir, 'subgraphs/notes'));
    writeFileSync(
      join(dir, 'subgraphs/notes/schema.graphql'),
      'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Note { text: String! }\ntype Query { notes: [Note!]! }\n',
    );
    writeFileSync(
      join(dir, 'supergraph.yaml'),
      `${'subgraphs:\n  users:\n    routing_url: http://localhost:4001/graphql\n    schema:\n      file: ./subgraphs/users/schema.graphql\n'}  notes:\n    routing_url: http://localhost:4009/graphql\n    schema:\n      file: ./subgraphs/notes/schema.graphql\n`,
    );
    writeSchemas(dir, USERS_V1);
    const result = await checkSchemas({ repoDir: dir });
    expect(result.reports.find((entry) => entry.name === 'notes')?.status).toBe('added');
    expect(result.ok).toBe(true);
    expect(result.reports.find((entry) => entry.name === 'supergraph')?.changes).toContainEqual(
      expect.objectContaining({ level: 'safe', path: 'Query.notes' }),
    );
  });

  it('on main itself it compares with the first parent; with no parent it skips', async () => {
    const dir = repoWithMain();
    git(dir, 'checkout', '-q', 'main');
    const first = await checkSchemas({ repoDir: dir });
    expect(first.skipped).toBe(true);
    expect(first.notice).toMatch(/no parent/);
    commitChange(dir, withoutEmail, 'Drop the email on main');
    const second = await checkSchemas({ repoDir: dir });
    expect(second.notice).toMatch(/first parent/);
    expect(second.ok).toBe(false);
  });

  it('the script exits 1 naming the field, 0 with SCHEMA_BREAK or a trailer, and skips without main', async () => {
    const script = join(root, 'scripts/schemaCheck.ts');
    // tsx's own binary: `--import tsx` would resolve from the temporary repository and fail.
    const tsx = join(root, 'node_modules/.bin/tsx');
    const node = (dir: string, env: NodeJS.ProcessEnv = {}) =>
      run(tsx, [script], {
        cwd: dir,
        env: { ...gitEnv, SCHEMA_BREAK: '', SCHEMA_CHECK_BASE: '', ...env },
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );

    const dir = repoWithMain();
    writeSchemas(dir, withoutEmail); // uncommitted: the working tree is what is checked
    const failed = await node(dir);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/breaking\s+User\.email/);
    expect(failed.stdout).toMatch(/Schema-Break: <reason>/);

    const allowed = await node(dir, { SCHEMA_BREAK: 'local experiment' });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/marked as intended: local experiment/);

    git(dir, 'commit', '-q', '-a', '-m', 'Drop the email\n\nSchema-Break: nobody reads it');
    const trailer = await node(dir);
    expect(trailer.code).toBe(0);
    expect(trailer.stdout).toMatch(/marked as intended: nobody reads it/);

    git(dir, 'branch', '-q', '-m', 'main', 'old-main');
    const skipped = await node(dir);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(/no origin\/main or main revision; schema check skipped/);
  });

  it('the real repository at HEAD compared with HEAD passes with no changes', async () => {
    const result = await checkSchemas({ repoDir: root, base: 'HEAD', head: 'HEAD' });
    expect(result.skipped).toBe(false);
    expect(result.reports.filter((report) => report.status === 'compared').length).toBeGreaterThan(
      1,
    );
    expect(result.reports.every((report) => report.changes.length === 0)).toBe(true);
    expect(result.ok).toBe(true);
  });
});

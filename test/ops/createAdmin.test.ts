/**
 * Item 10: `npm run create-admin` makes the first admin of a fresh production database. The
 * password comes from stdin or a file, never the command line; weak passwords, bad input and a
 * taken username are refused with one line naming the field, and nothing is written.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { querySqlite, ROOT } from '../helpers/processes';
import { codesOf, productionSecrets, startStack } from '../helpers/stack';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fedstack-create-admin-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const dataDir = () => join(dir, 'data');

/**
 * Runs `npm run create-admin -- <args>` as an operator would, with `stdin` piped in; `direct`
 * runs the script npm runs without npm, for the many refusals.
 */
function createAdmin(args: string[], stdin = '', direct = false): Promise<Run> {
  const [command, prefix] = direct
    ? [process.execPath, ['--import', 'tsx', 'scripts/createAdmin.ts']]
    : ['npm', ['run', '--silent', 'create-admin', '--']];
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        DATA_DIR: dataDir(),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const usersTable = () =>
  querySqlite<{ username: string; role: string; passwordHash: string }>(
    dataDir(),
    'users',
    'SELECT username, role, passwordHash FROM users ORDER BY id',
  );

const PASSWORD = 'correct horse battery staple';

describe('10. npm run create-admin', () => {
  it('creates an ADMIN in a fresh production database, who can then sign in and act as admin', async () => {
    const run = await createAdmin(['root', '--email', 'root@example.com'], `${PASSWORD}\n`);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(
      /^created ADMIN account "root" \(id \d+, email root@example.com\)$/m,
    );
    expect(run.stdout).not.toContain(PASSWORD);
    const rows = await usersTable();
    expect(rows.map(({ username, role }) => ({ username, role }))).toEqual([
      { username: 'root', role: 'ADMIN' },
    ]);
    expect(rows[0]?.passwordHash).toMatch(/^\$argon2id\$/);

    const stack = await startStack({
      seed: false,
      env: { NODE_ENV: 'production', DATA_DIR: dataDir(), ...productionSecrets() },
    });
    try {
      const listUsers = '{ users { username role } }';
      // Control: an account that registered itself is a USER and may not list users.
      const registered = await stack.request(
        'mutation($i: RegisterInput!) { register(input: $i) { accessToken } }',
        { i: { username: 'carol', email: 'carol@example.com', password: 'carol-long-password' } },
      );
      const carol = (registered.body.data as { register: { accessToken: string } }).register;
      expect(
        codesOf((await stack.request(listUsers, {}, { token: carol.accessToken })).body),
      ).toEqual(['FORBIDDEN']);
      const { accessToken } = await stack.login('root', PASSWORD);
      const res = await stack.request(listUsers, {}, { token: accessToken });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data).toEqual({
        users: [
          { username: 'root', role: 'ADMIN' },
          { username: 'carol', role: 'USER' },
        ],
      });
    } finally {
      await stack.stop();
    }
  });

  it('reads the password from --password-file, without its final line break', async () => {
    const file = join(dir, 'password.txt');
    writeFileSync(file, 'another-long-passphrase\n', { mode: 0o600 });
    const run = await createAdmin(['ops-admin', '--password-file', file]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/"ops-admin" \(id \d+, email ops-admin@localhost\)/);
    const stack = await startStack({
      seed: false,
      env: { NODE_ENV: 'production', DATA_DIR: dataDir(), ...productionSecrets() },
    });
    try {
      await expect(stack.login('ops-admin', 'another-long-passphrase')).resolves.toMatchObject({
        accessToken: expect.any(String),
      });
    } finally {
      await stack.stop();
    }
  });

  describe('refusals', () => {
    const refusals: Array<[string, string[], string, RegExp]> = [
      [
        'a short password',
        ['admin2'],
        'short12\n',
        /^password: must be 8 to 128 characters, got 7$/,
      ],
      [
        'a password over 128 characters',
        ['admin2'],
        'x'.repeat(129),
        /^password: must be 8 to 128 characters, got 129$/,
      ],
      [
        'the username as a long password',
        ['admin-two'],
        'ADMIN-TWO',
        /^password: must not be the username$/,
      ],
      [
        'a seed default password',
        ['admin2'],
        'admin-password',
        /^password: is a development seed password/,
      ],
      [
        'a common password',
        ['admin2'],
        'Password123\n',
        /^password: is one of the most common passwords/,
      ],
      ['an empty stdin', ['admin2'], '', /^password: must be 8 to 128 characters, got 0$/],
      [
        'a password on the command line (--password)',
        ['admin2', '--password', 'a-fine-password-1'],
        '',
        /^--password is not accepted: pass the password on stdin or with --password-file/,
      ],
      [
        'a password as a second argument',
        ['admin2', 'a-fine-password-1'],
        'a-fine-password-1',
        /^expected one username, got 2 arguments; a password is never taken from the command line/,
      ],
      ['a bad username', ['a'], PASSWORD, /^username: must be 3 to 32 characters/],
      [
        'a bad email',
        ['admin2', '--email', 'nowhere'],
        PASSWORD,
        /^email: must be an email address/,
      ],
      [
        'a taken username, in another case',
        ['ROOT'],
        'a-different-long-password',
        /^username: "ROOT" is already taken; nothing was changed$/,
      ],
    ];

    let before: Awaited<ReturnType<typeof usersTable>>;
    let results: Map<string, Run>;
    beforeAll(async () => {
      // Every refusal at once, each its own process, once the accounts above exist.
      before = await usersTable();
      results = new Map(
        await Promise.all(
          refusals.map(
            async ([label, args, stdin]) => [label, await createAdmin(args, stdin, true)] as const,
          ),
        ),
      );
    });

    it.each(refusals)(
      'refuses %s with one line naming it',
      async (label, args, stdin, expected) => {
        const run = results.get(label);
        if (!run) throw new Error(`no result for ${label}`);
        expect(run.code).toBe(1);
        expect(run.stdout).toBe('');
        const lines = run.stderr.split('\n').filter(Boolean);
        expect(lines).toHaveLength(1);
        expect(lines[0]?.startsWith('create-admin: ')).toBe(true);
        expect(lines[0]?.slice('create-admin: '.length)).toMatch(expected);
        // The password is never echoed back.
        for (const password of [
          stdin.trim(),
          ...args.filter((arg) => arg.includes('password-1')),
        ]) {
          if (password.length >= 8) expect(run.stderr).not.toContain(password);
        }
      },
    );

    it('changed nothing while refusing', async () => {
      expect(await usersTable()).toEqual(before);
    });
  });
});

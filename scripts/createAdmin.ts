import { readFileSync } from 'node:fs';
import {
  createLogger,
  migrateSubgraph,
  openDatabase,
  type SubgraphDefinition,
} from '@fedstack/kit';
import { createAdmin, readUsersDatabaseConfig, usersSubgraph } from '@fedstack/users';

const USAGE =
  'usage: npm run create-admin -- <username> [--email <address>] [--password-file <path>] (the password comes from the file or from stdin, never from the command line)';

interface Arguments {
  username: string;
  email: string | undefined;
  passwordFile: string | undefined;
}

/** Reads the command line; a password on it is refused, as shells and `ps` would keep it. */
function parseArguments(argv: string[]): Arguments {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (name.startsWith('password') && name !== 'password-file') {
      throw new Error(
        `--${name} is not accepted: pass the password on stdin or with --password-file, so it stays out of shell history and the process list`,
      );
    }
    if (name !== 'email' && name !== 'password-file')
      throw new Error(`unknown option --${name}; ${USAGE}`);
    const value = inline ?? argv[(i += 1)];
    if (value === undefined || value === '') throw new Error(`--${name} needs a value; ${USAGE}`);
    options.set(name, value);
  }
  if (positional.length !== 1) {
    throw new Error(
      positional.length === 0
        ? USAGE
        : `expected one username, got ${positional.length} arguments; a password is never taken from the command line. ${USAGE}`,
    );
  }
  return {
    username: positional[0] ?? '',
    email: options.get('email'),
    passwordFile: options.get('password-file'),
  };
}

/** The text without the one line break an editor or `echo` puts at its end. */
function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve) => {
    let answer = '';
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\u0003') {
          process.stderr.write('\n');
          process.exit(130);
        } else if (char === '\r' || char === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(answer);
          return;
        } else if (char === '\u007f' || char === '\b') {
          answer = answer.slice(0, -1);
        } else {
          answer += char;
        }
      }
    };
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

async function readPassword(file: string | undefined): Promise<string> {
  if (file !== undefined) {
    try {
      return withoutFinalNewline(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`--password-file "${file}" cannot be read (${(error as Error).message})`, {
        cause: error,
      });
    }
  }
  if (process.stdin.isTTY) {
    const password = await promptHidden('Password: ');
    if ((await promptHidden('Repeat the password: ')) !== password) {
      throw new Error('password: the two entries differ; nothing was changed');
    }
    return password;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return withoutFinalNewline(Buffer.concat(chunks).toString('utf8'));
}

/**
 * `npm run create-admin -- <username> [--email e] [--password-file f]`: creates an ADMIN account
 * in the users database (`DATA_DIR` or `USERS_DATABASE_URL`, migrated first), the first admin of
 * a production database. The password is read from `--password-file` or stdin (hidden at a
 * terminal) and must pass the users subgraph's checks; an existing username is refused.
 */
async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const location = readUsersDatabaseConfig();
  const password = await readPassword(args.passwordFile);
  const db = await openDatabase({
    service: location.service,
    dataDir: location.dataDir,
    url: location.databaseUrl,
    postgres: location.postgres,
  });
  try {
    const logger = createLogger({ service: 'create-admin', level: 'warn', format: 'pretty' });
    await migrateSubgraph(usersSubgraph as unknown as SubgraphDefinition, db, logger);
    const admin = await createAdmin(db, { username: args.username, email: args.email, password });
    console.log(`created ADMIN account "${admin.username}" (id ${admin.id}, email ${admin.email})`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(`create-admin: ${(error as Error).message}`);
  process.exit(1);
});

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { namesOf, plural, singular } from '../scripts/newSubgraph/names';
import { scaffoldSubgraph } from '../scripts/newSubgraph/scaffold';
import { readSupergraphConfig } from '../scripts/composeSupergraph';

/**
 * `npm run new-subgraph`: the refusals, against a throwaway root that only lists the real
 * subgraphs; and the whole path in a copy of the repository, where the new subgraph must install,
 * typecheck, pass its own tests and the checks that read supergraph.yaml, and answer a federated
 * query through a real gateway. The scaffolder never runs against this tree.
 */

const ROOT = resolve(__dirname, '..');

/**
 * The subgraphs the test scaffolds: names nobody gives a subgraph of their own, so that the test
 * still runs in a repository that has added some (say, `reviews`, the README's example).
 */
const NAME = 'probe-notes';
const OTHER = 'probe-marks';
const probe = namesOf(NAME);
/** The subgraphs of this tree's supergraph.yaml, and the port the scaffolder picks next. */
const EXISTING = readSupergraphConfig(join(ROOT, 'supergraph.yaml'));
const NEXT_PORT =
  Math.max(...EXISTING.map(({ routingUrl }) => Number(new URL(routingUrl).port))) + 1;

/** The environment of a child process, without this jest run's own settings. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.JEST_WORKER_ID;
  delete env.NODE_OPTIONS;
  return env;
}

function run(cwd: string, command: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd,
    env: childEnv(),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** `result` as a readable failure when it did not exit 0. */
function outcome(result: SpawnSyncReturns<string>): { status: number | null; output?: string } {
  return result.status === 0
    ? { status: 0 }
    : { status: result.status, output: `${result.stdout}\n${result.stderr}`.slice(-6000) };
}

describe('names', () => {
  it('derive the entity, the fields and the variables from the subgraph name', () => {
    const reviews = namesOf('reviews');
    expect(reviews).toMatchObject({
      entity: 'Review',
      plural: 'reviews',
      table: 'reviews',
      camel: 'reviews',
      rootFields: [
        'Query.reviews',
        'Query.review',
        'Mutation.createReview',
        'Mutation.deleteReview',
      ],
      variables: {
        url: 'REVIEWS_URL',
        port: 'REVIEWS_PORT',
        databaseUrl: 'REVIEWS_DATABASE_URL',
        dbPassword: 'REVIEWS_DB_PASSWORD',
      },
    });
    expect(namesOf('product-reviews')).toMatchObject({
      pascal: 'ProductReviews',
      entity: 'ProductReview',
      plural: 'productReviews',
      table: 'product_reviews',
      databaseName: 'product_reviews',
      variables: { dbPassword: 'PRODUCT_REVIEWS_DB_PASSWORD' },
    });
    expect(namesOf('reviews', 'Comment')).toMatchObject({ entity: 'Comment', plural: 'comments' });
    expect(['categories', 'boxes', 'address', 'items'].map(singular)).toEqual([
      'category',
      'box',
      'address',
      'item',
    ]);
    expect(['category', 'box', 'item'].map(plural)).toEqual(['categories', 'boxes', 'items']);
  });

  it.each([['Reviews'], ['re_views'], ['1reviews'], ['reviews-'], ['re--views'], ['']])(
    'refuse the subgraph name %j',
    (name) => {
      expect(() => namesOf(name)).toThrow(
        `subgraph name must be lower-case letters, digits and dashes, starting with a letter (e.g. reviews, product-reviews), got "${name}"`,
      );
    },
  );

  it('refuse an entity that is not a PascalCase type name, or is User', () => {
    expect(() => namesOf('reviews', 'review')).toThrow(/--entity must be a PascalCase/);
    expect(() => namesOf('reviews', 'User')).toThrow(/--entity User is a type every subgraph/);
  });
});

describe('scaffoldSubgraph refuses, writing nothing', () => {
  let root: string;
  const config = () => readFileSync(join(root, 'supergraph.yaml'), 'utf8');

  beforeAll(() => {
    // A root listing the real subgraphs by absolute path: they are read, never written.
    root = mkdtempSync(join(tmpdir(), 'fedstack-newsub-refusals-'));
    const real = readFileSync(join(ROOT, 'supergraph.yaml'), 'utf8');
    writeFileSync(
      join(root, 'supergraph.yaml'),
      real.replace(/file: \.\/(\S+)/g, (_, path: string) => `file: ${join(ROOT, path)}`),
    );
    mkdirSync(join(root, 'subgraphs', NAME), { recursive: true });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    [{ name: 'Bad_Name' }, 'subgraph name must be lower-case letters, digits and dashes'],
    [{ name: 'suppliers' }, 'subgraph "suppliers" is already in supergraph.yaml'],
    [{ name: NAME }, `subgraphs/${NAME} already exists`],
    [{ name: OTHER, port: 4002 }, 'port 4002 is already used by subgraph orders'],
    [{ name: OTHER, port: 4000 }, "port 4000 is the gateway's"],
    [
      { name: OTHER, entity: 'Supplier' },
      'Query.suppliers, Query.supplier, Mutation.createSupplier, Mutation.deleteSupplier, User.suppliers, type Supplier, type CreateSupplierInput already exist in the supergraph',
    ],
    [
      { name: OTHER, entity: 'Order' },
      'Query.orders, Query.order, Mutation.createOrder, User.orders, type Order, type CreateOrderInput already exist',
    ],
  ])('%j', async (options, message) => {
    const before = config();
    await expect(scaffoldSubgraph({ root, ...options })).rejects.toThrow(message);
    expect(config()).toBe(before);
    expect(existsSync(join(root, 'subgraphs', OTHER))).toBe(false);
  });
});

/** Run in the copy: the stack in one process, alice writes one, and `me` reads across subgraphs. */
const FEDERATED_QUERY = `import { startStack } from './test/helpers/stack';

async function main(): Promise<void> {
  const stack = await startStack();
  try {
    const { accessToken: token } = await stack.login('alice', 'alice-password');
    const created = await stack.request(
      'mutation($input: Create${probe.entity}Input!) { create${probe.entity}(input: $input) { id } }',
      { input: { title: 'Across all', body: 'One query, every subgraph.' } },
      { token },
    );
    const me = await stack.request(
      '{ me { username ${probe.plural} { id title author { username } } suppliers { name } } }',
      {},
      { token },
    );
    process.stdout.write(
      JSON.stringify({ subgraphs: Object.keys(stack.subgraphs).sort(), created: created.body, me: me.body }),
    );
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
`;

describe(`npm run new-subgraph -- ${NAME}, in a copy of the repository`, () => {
  let copy: string;
  let scaffolded: SpawnSyncReturns<string>;

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'fedstack-newsub-'));
    const files = run(ROOT, 'git', ['ls-files', '-co', '--exclude-standard', '-z']).stdout;
    for (const file of files.split('\0').filter(Boolean)) {
      if (!existsSync(join(ROOT, file))) continue; // deleted in the working tree
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      copyFileSync(join(ROOT, file), join(copy, file));
    }
    // The installed packages as hard links (npm adds the new workspace's link to the copy alone).
    const workspaces = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }
    ).workspaces;
    for (const dir of ['.', ...workspaces]) {
      if (!existsSync(join(ROOT, dir, 'node_modules'))) continue;
      const linked = run(ROOT, 'cp', ['-al', join(ROOT, dir, 'node_modules'), join(copy, dir)]);
      expect(outcome(linked)).toEqual({ status: 0 });
    }
    // The containers test asks git what it ignores.
    expect(outcome(run(copy, 'git', ['init', '-q']))).toEqual({ status: 0 });
    scaffolded = run(copy, process.execPath, ['--import', 'tsx', 'scripts/newSubgraph.ts', NAME]);
  }, 120_000);

  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('scaffolds the subgraph and edits the shared files, leaving this tree alone', () => {
    expect(outcome(scaffolded)).toEqual({ status: 0 });
    expect(scaffolded.stdout).toContain(
      `Scaffolded the ${NAME} subgraph (entity ${probe.entity}, port ${NEXT_PORT})`,
    );
    expect(scaffolded.stdout).toContain('npm install');
    for (const file of [
      `subgraphs/${NAME}/package.json`,
      `subgraphs/${NAME}/schema.graphql`,
      `subgraphs/${NAME}/src/index.ts`,
      `subgraphs/${NAME}/src/main.ts`,
      `subgraphs/${NAME}/src/loaders.ts`,
      `subgraphs/${NAME}/src/models/${probe.entity}.ts`,
      `subgraphs/${NAME}/src/migrations/index.ts`,
      `subgraphs/${NAME}/src/resolvers/Mutation.ts`,
      `subgraphs/${NAME}/src/seed.ts`,
      `subgraphs/${NAME}/src/generated/graphql.ts`,
      `subgraphs/${NAME}/src/__tests__/${NAME}.test.ts`,
      `deploy/kubernetes/${NAME}.yaml`,
      `operations/create${probe.entity}.graphql`,
    ]) {
      expect({ file, exists: existsSync(join(copy, file)) }).toEqual({ file, exists: true });
    }
    expect(readFileSync(join(copy, 'supergraph.yaml'), 'utf8')).toContain(
      `${NAME}:\n    routing_url: http://localhost:${NEXT_PORT}/graphql`,
    );
    expect(readFileSync(join(copy, 'supergraph.graphql'), 'utf8')).toContain(
      `${probe.constant} @join__graph(name: "${NAME}", url: "http://localhost:${NEXT_PORT}/graphql")`,
    );
    expect(existsSync(join(ROOT, 'subgraphs', NAME))).toBe(false);
    expect(readFileSync(join(ROOT, 'supergraph.yaml'), 'utf8')).not.toContain(NAME);
  });

  it('refuses to scaffold it again, and an invalid name, exiting 1 with the reason', () => {
    const again = run(copy, process.execPath, ['--import', 'tsx', 'scripts/newSubgraph.ts', NAME]);
    expect(again.status).toBe(1);
    expect(again.stderr).toBe(`new-subgraph: subgraph "${NAME}" is already in supergraph.yaml\n`);
    const invalid = run(copy, process.execPath, [
      '--import',
      'tsx',
      'scripts/newSubgraph.ts',
      'Re_views',
    ]);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toMatch(/^new-subgraph: subgraph name must be lower-case letters/);
  });

  it('installs offline, linking the new workspace', () => {
    const installed = run(copy, 'npm', ['install', '--offline', '--no-audit', '--no-fund']);
    expect(outcome(installed)).toEqual({ status: 0 });
    expect(readlinkSync(join(copy, 'node_modules', '@fedstack', NAME))).toBe(
      join('..', '..', 'subgraphs', NAME),
    );
  }, 120_000);

  it('has current generated types, and typechecks', () => {
    expect(outcome(run(copy, 'npm', ['run', '-s', 'codegen:check']))).toEqual({ status: 0 });
    expect(outcome(run(copy, 'npx', ['tsc', '--noEmit', '-p', '.']))).toEqual({ status: 0 });
  }, 120_000);

  it('passes its own tests and the checks that read supergraph.yaml', () => {
    const jest = run(copy, 'npx', [
      'jest',
      '--ci',
      `subgraphs/${NAME}`,
      'test/compose.test.ts',
      'test/containers.test.ts',
      'test/kubernetes.test.ts',
      'test/operations.test.ts',
    ]);
    expect(outcome(jest)).toEqual({ status: 0 });
    // All five suites ran (jest writes its summary to stderr).
    expect(jest.stderr).toMatch(/Test Suites: 5 passed, 5 total/);
  }, 180_000);

  it(`answers a query across users and ${NAME} through a real gateway over every subgraph`, () => {
    writeFileSync(join(copy, 'federatedQuery.ts'), FEDERATED_QUERY);
    const result = run(copy, process.execPath, ['--import', 'tsx', 'federatedQuery.ts']);
    expect(outcome(result)).toEqual({ status: 0 });
    const answer = JSON.parse(result.stdout) as {
      subgraphs: string[];
      created: { data?: Record<string, { id: string }> };
      me: {
        errors?: unknown;
        data?: {
          me: {
            username: string;
            [field: string]: unknown;
            suppliers: Array<{ name: string }>;
          };
        };
      };
    };
    expect(answer.subgraphs).toEqual([...EXISTING.map((subgraph) => subgraph.name), NAME].sort());
    const id = answer.created.data?.[`create${probe.entity}`]?.id;
    expect(id).toEqual(expect.any(String));
    expect(answer.me.errors).toBeUndefined();
    const me = answer.me.data?.me;
    expect(me?.username).toBe('alice');
    // The seeded one and the one just written, each with its author resolved by users.
    const written = (me?.[probe.plural] ?? []) as Array<{
      id: string;
      title: string;
      author: { username: string };
    }>;
    expect(written.map((entry) => entry.title)).toEqual(['First impressions', 'Across all']);
    expect(written.map((entry) => entry.author.username)).toEqual(['alice', 'alice']);
    expect(written[1]?.id).toBe(id);
    expect(me?.suppliers.length).toBeGreaterThan(0);
  }, 120_000);
});

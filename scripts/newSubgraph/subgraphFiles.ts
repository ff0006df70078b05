import type { Names } from './names';

/** The longest title and body, in characters after trimming. */
export const MAX_TITLE = 100;
export const MAX_BODY = 2000;

/** A migration name for `now`: `YYYYMMDDHHMMSS` (UTC) then what it does. */
export function migrationName(n: Names, now: Date): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return `${stamp}_create_${n.table}`;
}

/**
 * The files of a new subgraph workspace, by path relative to it. `dependencies` are those of an
 * existing subgraph's package.json, so the new one asks for the same versions.
 */
export function subgraphFiles(
  n: Names,
  options: { port: number; dependencies: Record<string, string>; migration: string },
): Record<string, string> {
  const { migration } = options;
  const E = n.entity;
  return {
    'package.json': `${JSON.stringify(
      {
        name: `@fedstack/${n.name}`,
        version: '0.1.0',
        private: true,
        main: 'src/index.ts',
        exports: { '.': './src/index.ts' },
        dependencies: options.dependencies,
      },
      null,
      2,
    )}\n`,
    'schema.graphql': schema(n),
    'src/index.ts': `import { join } from 'node:path';
import { defineSubgraph, type SubgraphBaseConfig, type SubgraphContext } from '@fedstack/kit';
import { createLoaders, type Loaders } from './loaders';
import { migrations } from './migrations';
import { define${E}Model, type ${E}Static } from './models/${E}';
import { resolvers } from './resolvers';
import { seed${n.pluralPascal} } from './seed';

export type ${n.pascal}Config = SubgraphBaseConfig;
export interface Models {
  ${E}: ${E}Static;
}
/** What every ${n.name} resolver receives. */
export type Context = SubgraphContext<Models, Loaders>;

/** The ${n.name} subgraph: the ${n.plural} users write. */
export const ${n.camel}Subgraph = defineSubgraph({
  name: '${n.name}',
  defaultPort: ${options.port},
  schemaFile: join(__dirname, '..', 'schema.graphql'),
  resolvers,
  models: (sequelize): Models => ({ ${E}: define${E}Model(sequelize) }),
  loaders: (models) => createLoaders(models.${E}),
  migrations,
  seed: seed${n.pluralPascal},
  seedAfter: ['users'],
});
`,
    'src/main.ts': `import { runService, startSubgraph } from '@fedstack/kit';
import { ${n.camel}Subgraph } from './index';

runService('${n.name}', () => startSubgraph(${n.camel}Subgraph));
`,
    'src/loaders.ts': `import type DataLoader from 'dataloader';
import { loadById, pagesByParent, type Page } from '@fedstack/kit';
import type { ${E}Row, ${E}Static } from './models/${E}';

/** The DataLoaders of one request; never shared between requests. */
export interface Loaders {
  /** A ${n.entityCamel} by its id as the client wrote it; null when malformed or missing. */
  ${n.entityCamel}ById: DataLoader<string, ${E}Row | null>;
  /** One page of the ${n.plural} each user wrote, oldest first; one loader (and cache) per page. */
  ${n.plural}ByAuthorId(page: Page): DataLoader<string, ${E}Row[]>;
}

/** Creates a fresh set of loaders for one request. */
export function createLoaders(${E}Model: ${E}Static): Loaders {
  return {
    ${n.entityCamel}ById: loadById(${E}Model),
    ${n.plural}ByAuthorId: pagesByParent(${E}Model, 'authorId'),
  };
}
`,
    [`src/models/${E}.ts`]: model(n),
    'src/migrations/index.ts': `import type { Migration } from '@fedstack/kit';
import { create${n.pluralPascal} } from './${migration}';

/** Every migration of the ${n.name} database, oldest first. */
export const migrations: Migration[] = [create${n.pluralPascal}];
`,
    [`src/migrations/${migration}.ts`]: `import type { Migration } from '@fedstack/kit';

/**
 * The \`${n.table}\` table, with an index that serves "the ${n.plural} this user wrote, in id order".
 * Only portable types: the same migration runs on SQLite and on PostgreSQL.
 */
export const create${n.pluralPascal}: Migration = {
  name: '${migration}',
  async up({ queryInterface, DataTypes }) {
    await queryInterface.createTable('${n.table}', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
      title: { type: DataTypes.STRING(${MAX_TITLE}), allowNull: false },
      body: { type: DataTypes.TEXT, allowNull: false },
      authorId: { type: DataTypes.STRING(64), allowNull: false },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    });
    await queryInterface.addIndex('${n.table}', ['authorId', 'id'], {
      name: '${n.table}_author_id',
    });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('${n.table}');
  },
};
`,
    'src/resolvers/index.ts': `import { DateTimeScalar } from '@fedstack/kit';
import type { Resolvers } from '../generated/graphql';
import { ${E} } from './${E}';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { User } from './User';

/** The ${n.name} subgraph's resolver map. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  ${E},
  User,
};
`,
    'src/resolvers/Query.ts': `import { loadPage, readId, readPage } from '@fedstack/kit';
import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  ${n.plural}(_parent, args, { models }) {
    return loadPage(models.${E}, readPage(args));
  },
  ${n.entityCamel}(_parent, { id }, { loaders }) {
    return loaders.${n.entityCamel}ById.load(readId('id', id));
  },
};
`,
    'src/resolvers/Mutation.ts': mutation(n),
    [`src/resolvers/${E}.ts`]: `import { userReference } from '@fedstack/kit';
import type { ${E}Resolvers } from '../generated/graphql';

export const ${E}: ${E}Resolvers = {
  __resolveReference(reference, { loaders }) {
    return loaders.${n.entityCamel}ById.load(String(reference.id));
  },
  author(${n.entityCamel}) {
    return userReference(${n.entityCamel}.authorId);
  },
};
`,
    'src/resolvers/User.ts': `import { readPage } from '@fedstack/kit';
import type { UserResolvers } from '../generated/graphql';

export const User: UserResolvers = {
  ${n.plural}(user, args, { loaders }) {
    return loaders.${n.plural}ByAuthorId(readPage(args)).load(user.id);
  },
};
`,
    'src/seed.ts': seed(n),
    [`src/__tests__/${n.name}.test.ts`]: test(n),
  };
}

function schema(n: Names): string {
  const E = n.entity;
  const listSize =
    '@listSize(slicingArguments: ["limit"], assumedSize: 100, requireOneSlicingArgument: false)';
  return `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])

"An ISO-8601 date-time string."
scalar DateTime

type ${E} @key(fields: "id") {
  id: ID!
  title: String!
  body: String!
  "The user who wrote it."
  author: User!
  createdAt: DateTime!
}

type User @key(fields: "id") {
  id: ID!
  "${n.pluralPascal} this user wrote, oldest first; public. Null, with an error, when this subgraph fails, so the rest of the user survives."
  ${n.plural}(limit: Int = 20, offset: Int = 0): [${E}!]
    ${listSize}
}

type Query {
  "Public, oldest first."
  ${n.plural}(limit: Int = 20, offset: Int = 0): [${E}!]!
    ${listSize}
  "Public."
  ${n.entityCamel}(id: ID!): ${E}
}

type Mutation {
  "Authenticated; the caller becomes its author."
  create${E}(input: Create${E}Input!): ${E}!
  "Its author or an admin."
  delete${E}(id: ID!): Boolean!
}

input Create${E}Input {
  "1 to ${MAX_TITLE} characters, trimmed."
  title: String!
  "1 to ${MAX_BODY} characters, trimmed."
  body: String!
}
`;
}

function model(n: Names): string {
  const E = n.entity;
  return `import { bindEntityModel, type RowOf } from '@fedstack/kit';
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** One ${n.entityCamel} row. \`authorId\` is an opaque user id owned by the users subgraph. */
export class ${E} extends Model<InferAttributes<${E}>, InferCreationAttributes<${E}>> {
  declare id: CreationOptional<number>;
  declare title: string;
  declare body: string;
  declare authorId: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export type ${E}Static = typeof ${E};

export type ${E}Row = RowOf<${E}>;

/** The \`${E}\` model bound to one database (see \`bindEntityModel\`). */
export function define${E}Model(sequelize: Sequelize): ${E}Static {
  return bindEntityModel(
    ${E},
    sequelize,
    {
      title: { type: DataTypes.STRING(${MAX_TITLE}), allowNull: false },
      body: { type: DataTypes.TEXT, allowNull: false },
      authorId: { type: DataTypes.STRING(64), allowNull: false },
    },
    { modelName: '${E}', tableName: '${n.table}' },
  );
}
`;
}

function mutation(n: Names): string {
  const E = n.entity;
  return `import {
  forbidden,
  isSelfOrAdmin,
  notFound,
  parseId,
  readId,
  readText,
  requireViewer,
} from '@fedstack/kit';
import type { MutationResolvers } from '../generated/graphql';

/** The longest value, in characters after trimming, of each text field. */
const MAX_LENGTH = { title: ${MAX_TITLE}, body: ${MAX_BODY} } as const;

export const Mutation: MutationResolvers = {
  async create${E}(_parent, { input }, { viewer, db, models, loaders }) {
    const caller = requireViewer(viewer);
    const values = {
      title: readText('input.title', input.title, { max: MAX_LENGTH.title }),
      body: readText('input.body', input.body, { max: MAX_LENGTH.body }),
    };
    const ${n.entityCamel} = await db.write((transaction) =>
      models.${E}.create({ ...values, authorId: caller.id }, { transaction }),
    );
    loaders.${n.entityCamel}ById.prime(String(${n.entityCamel}.id), ${n.entityCamel});
    return ${n.entityCamel};
  },

  /**
   * NOT_FOUND when it does not exist; FORBIDDEN when it does but the caller neither wrote it nor
   * is an admin (${n.plural} are public, so there is nothing to hide by answering NOT_FOUND).
   */
  async delete${E}(_parent, { id }, { viewer, db, models, loaders }) {
    const caller = requireViewer(viewer);
    await db.write(async (transaction) => {
      const key = parseId(readId('id', id));
      const found = key === null ? null : await models.${E}.findByPk(key, { transaction });
      if (!found) throw notFound('${E}', id);
      if (!isSelfOrAdmin(caller, found.authorId)) {
        throw forbidden('Only its author or an admin may delete a ${n.entityCamel}');
      }
      await found.destroy({ transaction });
    });
    loaders.${n.entityCamel}ById.clear(id).prime(id, null);
    return true;
  },
};
`;
}

function seed(n: Names): string {
  const E = n.entity;
  return `import type { Database, Logger, SeedRefs } from '@fedstack/kit';
import { define${E}Model } from './models/${E}';

/**
 * Development data: two ${n.plural}, by the seeded alice and bob. Returns \`refs\` with the ids under
 * \`${n.name}\` (those already stored when the table holds rows). Skips, with a warning, when the
 * users were not seeded first.
 */
export async function seed${n.pluralPascal}(
  db: Database,
  refs: SeedRefs,
  logger: Logger,
): Promise<SeedRefs> {
  const ${E} = define${E}Model(db.sequelize);
  const existing = await ${E}.findAll({ attributes: ['id'], order: [['id', 'ASC']], limit: 2 });
  if (existing.length > 0) {
    return { ...refs, '${n.name}': existing.map((row) => String(row.id)) };
  }
  if (!refs.users) {
    logger.warn('${n.name} seed skipped: no seeded users to write the ${n.plural}');
    return refs;
  }
  const { alice, bob } = refs.users;
  const created = await db.write((transaction) =>
    ${E}.bulkCreate(
      [
        { title: 'First impressions', body: 'Quick to set up, and it did what it said.', authorId: alice },
        { title: 'Second look', body: 'Still happy with it a month later.', authorId: bob },
      ],
      { transaction },
    ),
  );
  logger.info({ '${n.name}': created.length }, '${n.name} seeded');
  return { ...refs, '${n.name}': created.map((row) => String(row.id)) };
}
`;
}

function test(n: Names): string {
  const E = n.entity;
  const c = n.entityCamel;
  return `import type { Viewer } from '@fedstack/kit';
import {
  errorCodes as codes,
  expectMigrationsRoundTrip,
  startTestSubgraph,
  testDatabases,
  TEST_VIEWERS,
  warnRecordingLogger,
  type TestSubgraph,
} from '@fedstack/kit/testing';
import { ${n.camel}Subgraph, type ${n.pascal}Config } from '../index';
import { migrations } from '../migrations';
import { define${E}Model } from '../models/${E}';
import { seed${n.pluralPascal} } from '../seed';

const { alice, bob, admin } = TEST_VIEWERS;

const CREATE = \`mutation($input: Create${E}Input!) {
  create${E}(input: $input) { id title body author { id } createdAt }
}\`;
const DELETE = \`mutation($id: ID!) { delete${E}(id: $id) }\`;
const ONE = \`query($id: ID!) { ${c}(id: $id) { id title author { id } } }\`;
const LIST = \`query($limit: Int, $offset: Int) { ${n.plural}(limit: $limit, offset: $offset) { id } }\`;
const ENTITIES = \`query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on ${E} { id title }
    ... on User { id ${n.plural} { id } }
  }
}\`;

describe.each(testDatabases())('${n.name} on %s', (database) => {
  let sub: TestSubgraph<${n.pascal}Config>;

  beforeAll(async () => {
    sub = await startTestSubgraph(${n.camel}Subgraph, { database });
  });
  afterAll(() => sub.stop());

  const count = () => define${E}Model(sub.db.sequelize).count();

  async function create(viewer: Viewer, title: string): Promise<string> {
    const response = await sub.query<{ create${E}: { id: string } }>(
      CREATE,
      { input: { title, body: \`Body of \${title}\` } },
      viewer,
    );
    const id = response.body.data?.create${E}.id;
    if (!id) throw new Error(\`create${E} failed: \${JSON.stringify(response.body)}\`);
    return id;
  }

  describe('create${E}', () => {
    it('records the caller as the author and trims the text', async () => {
      const response = await sub.query<{ create${E}: { id: string; createdAt: string } }>(
        CREATE,
        { input: { title: '  Trimmed ', body: ' text ' } },
        alice,
      );
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.create${E}).toMatchObject({
        title: 'Trimmed',
        body: 'text',
        author: { id: alice.id },
      });
      expect(response.body.data?.create${E}.createdAt).toMatch(/^\\d{4}-\\d\\d-\\d\\dT/);
      const row = await define${E}Model(sub.db.sequelize).findByPk(
        Number(response.body.data?.create${E}.id),
      );
      expect(row?.authorId).toBe(alice.id);
    });

    it('is UNAUTHENTICATED for an anonymous caller and stores nothing', async () => {
      const before = await count();
      const response = await sub.query(CREATE, { input: { title: 'anon', body: 'anon' } });
      expect(response.body.data).toBeNull();
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(await count()).toBe(before);
    });

    it.each([
      ['an empty title', { title: '' }, 'input.title'],
      ['a blank body', { body: '   ' }, 'input.body'],
      ['a ${MAX_TITLE + 1}-character title', { title: 't'.repeat(${MAX_TITLE + 1}) }, 'input.title'],
      ['a ${MAX_BODY + 1}-character body', { body: 'b'.repeat(${MAX_BODY + 1}) }, 'input.body'],
    ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, override, field) => {
      const before = await count();
      const input = { title: 'A title', body: 'A body', ...override };
      const response = await sub.query(CREATE, { input }, alice);
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.field).toBe(field);
      expect(response.body.errors?.[0]?.message).toContain(field);
      expect(await count()).toBe(before);
    });
  });

  describe('delete${E}', () => {
    it('is UNAUTHENTICATED for an anonymous caller', async () => {
      const id = await create(alice, 'kept from anonymous');
      expect(codes(await sub.query(DELETE, { id }))).toEqual(['UNAUTHENTICATED']);
      expect((await sub.query(ONE, { id })).body.data).toEqual({
        ${c}: { id, title: 'kept from anonymous', author: { id: alice.id } },
      });
    });

    it("is FORBIDDEN for another user, and lets the author delete it", async () => {
      const id = await create(alice, 'only mine');
      const denied = await sub.query(DELETE, { id }, bob);
      expect(denied.body.data).toBeNull();
      expect(codes(denied)).toEqual(['FORBIDDEN']);
      expect((await sub.query(ONE, { id })).body.data?.${c}).not.toBeNull();

      const allowed = await sub.query(DELETE, { id }, alice);
      expect(allowed.body).toEqual({ data: { delete${E}: true } });
      expect((await sub.query(ONE, { id })).body.data).toEqual({ ${c}: null });
    });

    it("lets an admin delete anyone's", async () => {
      const id = await create(bob, 'moderated');
      const response = await sub.query(DELETE, { id }, admin);
      expect(response.body).toEqual({ data: { delete${E}: true } });
      expect((await sub.query(ONE, { id })).body.data).toEqual({ ${c}: null });
    });

    it.each(['999999', 'abc'])('is NOT_FOUND for the missing or malformed id %s', async (id) => {
      expect(codes(await sub.query(DELETE, { id }, admin))).toEqual(['NOT_FOUND']);
    });
  });

  describe('queries', () => {
    it('answers one by id to anyone, and null for a missing or malformed id', async () => {
      const id = await create(bob, 'public');
      const response = await sub.query(ONE, { id });
      expect(response.body).toEqual({
        data: { ${c}: { id, title: 'public', author: { id: bob.id } } },
      });
      expect((await sub.query(ONE, { id: '999999' })).body).toEqual({ data: { ${c}: null } });
      expect((await sub.query(ONE, { id: 'abc' })).body).toEqual({ data: { ${c}: null } });
    });

    it('lists oldest first, in pages', async () => {
      const ids = [await create(alice, 'page 1'), await create(bob, 'page 2')];
      const all = await sub.query<{ ${n.plural}: Array<{ id: string }> }>(LIST, { limit: 100 });
      const listed = all.body.data?.${n.plural}.map((row) => row.id) ?? [];
      expect(listed.slice(-2)).toEqual(ids);
      expect(listed.map(Number)).toEqual([...listed.map(Number)].sort((a, b) => a - b));
      const page = await sub.query(LIST, { limit: 1, offset: listed.length - 1 });
      expect(page.body).toEqual({ data: { ${n.plural}: [{ id: ids[1] }] } });
    });

    it.each([
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ offset: -1 }, 'offset'],
    ])('refuses %j with BAD_USER_INPUT naming %s', async (page, field) => {
      const response = await sub.query(LIST, page);
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.field).toBe(field);
    });
  });

  describe('entities (_entities)', () => {
    it('resolves a ${c} by reference, null for a missing one, and the ${n.plural} a user wrote', async () => {
      const id = await create(admin, 'by reference');
      const response = await sub.query(ENTITIES, {
        r: [
          { __typename: '${E}', id },
          { __typename: '${E}', id: '424242' },
          { __typename: 'User', id: admin.id },
          { __typename: 'User', id: 'user-nobody' },
        ],
      });
      expect(response.body).toEqual({
        data: {
          _entities: [
            { id, title: 'by reference' },
            null,
            { id: admin.id, ${n.plural}: [{ id }] },
            { id: 'user-nobody', ${n.plural}: [] },
          ],
        },
      });
    });
  });

  describe('migrations and seed', () => {
    it('go down to nothing and up again cleanly', async () => {
      const fresh = await startTestSubgraph(${n.camel}Subgraph, { database });
      try {
        await expectMigrationsRoundTrip(fresh.db, migrations, {
          tables: ['${n.table}'],
          indexes: ['${n.table}_author_id'],
        });
      } finally {
        await fresh.stop();
      }
    });

    it('seeds ${n.plural} by the seeded users once, and skips with a warning without them', async () => {
      const fresh = await startTestSubgraph(${n.camel}Subgraph, { database });
      try {
        const users = { admin: 'user-admin', alice: 'user-alice', bob: 'user-bob' };
        const skipped = warnRecordingLogger('${n.name}');
        expect(await seed${n.pluralPascal}(fresh.db, {}, skipped)).toEqual({});
        expect(skipped.warn).toHaveBeenCalledTimes(1);

        const first = await seed${n.pluralPascal}(fresh.db, { users }, warnRecordingLogger('${n.name}'));
        const rows = await define${E}Model(fresh.db.sequelize).findAll({ order: [['id', 'ASC']] });
        expect(rows.map((row) => row.authorId)).toEqual([users.alice, users.bob]);
        expect(first).toEqual({ users, '${n.name}': rows.map((row) => String(row.id)) });
        expect(await seed${n.pluralPascal}(fresh.db, { users }, warnRecordingLogger('${n.name}'))).toEqual(first);
        expect(await define${E}Model(fresh.db.sequelize).count()).toBe(rows.length);
      } finally {
        await fresh.stop();
      }
    });
  });
});
`;
}

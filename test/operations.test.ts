import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  buildClientSchema,
  getIntrospectionQuery,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type IntrospectionQuery,
  type OperationDefinitionNode,
} from 'graphql';
import { startStack, type Stack } from './helpers/stack';

/**
 * The operations collection (`operations/*.graphql`, example variables in
 * `operations/variables.json`): every file holds one named operation, valid against the schema the
 * gateway serves; together they use every root field; and each one, run through the gateway in the
 * order a client would, answers without errors.
 */

const dir = resolve(__dirname, '..', 'operations');

interface CollectedOperation {
  file: string;
  name: string;
  document: DocumentNode;
  definition: OperationDefinitionNode;
  text: string;
}

const collection: CollectedOperation[] = readdirSync(dir)
  .filter((file) => file.endsWith('.graphql'))
  .sort()
  .map((file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const document = parse(text);
    const definition = document.definitions[0] as OperationDefinitionNode;
    return { file, name: definition.name?.value ?? '', document, definition, text };
  });
const byName = new Map(collection.map((operation) => [operation.name, operation]));
const examples = JSON.parse(readFileSync(join(dir, 'variables.json'), 'utf8')) as Record<
  string,
  Record<string, unknown>
>;

/** An answer's data, read loosely: each step below asserts the fields it reads. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Data = Record<string, any>;

/** `{{name}}` placeholders of the examples, filled from `values`; an unknown one throws. */
function fill(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
      const filled = values[key];
      if (filled === undefined) throw new Error(`no value for {{${key}}}`);
      return filled;
    });
  }
  if (Array.isArray(value)) return value.map((item) => fill(item, values));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values)]));
  }
  return value;
}

describe('the operations collection', () => {
  it('holds one named operation per file, named after its file, with example variables', () => {
    expect(collection.length).toBeGreaterThan(0);
    for (const { file, document, definition, name } of collection) {
      expect({ file, definitions: document.definitions.length }).toEqual({ file, definitions: 1 });
      expect({ file, kind: definition.kind }).toEqual({ file, kind: Kind.OPERATION_DEFINITION });
      const expected = basename(file, '.graphql');
      expect({ file, name: name.charAt(0).toLowerCase() + name.slice(1) }).toEqual({
        file,
        name: expected,
      });
    }
    expect(Object.keys(examples).sort()).toEqual(collection.map(({ name }) => name).sort());
  });

  it('fills placeholders and names a missing one', () => {
    expect(fill({ id: '{{orderId}}', n: [1, 'x{{a}}'] }, { orderId: '7', a: 'y' })).toEqual({
      id: '7',
      n: [1, 'xy'],
    });
    expect(() => fill({ id: '{{orderId}}' }, {})).toThrow('no value for {{orderId}}');
  });
});

describe('the operations collection, through the gateway', () => {
  let stack: Stack;
  let schema: GraphQLSchema;

  beforeAll(async () => {
    stack = await startStack();
    const introspection = await stack.request<IntrospectionQuery>(getIntrospectionQuery());
    schema = buildClientSchema(introspection.body.data!);
  });
  afterAll(() => stack.stop());

  it('is valid against the schema the gateway serves', () => {
    for (const { file, document } of collection) {
      expect({ file, errors: validate(schema, document).map((e) => e.message) }).toEqual({
        file,
        errors: [],
      });
    }
  });

  it('uses every root query and mutation field', () => {
    const used = new Set(
      collection.flatMap(({ definition }) =>
        definition.selectionSet.selections.flatMap((selection) =>
          selection.kind === Kind.FIELD ? [`${definition.operation}.${selection.name.value}`] : [],
        ),
      ),
    );
    const roots = [
      ...Object.keys(schema.getQueryType()!.getFields()).map((field) => `query.${field}`),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}).map((f) => `mutation.${f}`),
    ];
    expect(roots.length).toBeGreaterThan(10);
    expect(roots.filter((root) => !used.has(root))).toEqual([]);
  });

  it('runs every operation, in the order a client would, without an error', async () => {
    const values: Record<string, string> = {};
    const ran = new Set<string>();
    /**
     * Runs operation `name` with its example variables (`override` on top), as the holder of
     * `token`; checks the answer is clean and returns its data.
     */
    const run = async (
      name: string,
      token?: string,
      override: Record<string, unknown> = {},
    ): Promise<Data> => {
      const operation = byName.get(name);
      if (!operation) throw new Error(`operations/ has no operation ${name}`);
      const variables = { ...(fill(examples[name], values) as object), ...override };
      const res = await stack.request(operation.text, variables, token ? { token } : {});
      expect({ name, status: res.status, errors: res.body.errors }).toEqual({
        name,
        status: 200,
        errors: undefined,
      });
      const data = res.body.data as Data;
      for (const [field, value] of Object.entries(data)) {
        expect({ name, field, isNull: value === null }).toEqual({ name, field, isNull: false });
      }
      ran.add(name);
      return data;
    };

    const { login } = await run('Login');
    const alice = login.accessToken as string;
    values.refreshToken = login.refreshToken;
    values.userId = login.user.id;
    expect(login.user.username).toBe('alice');
    expect((await run('Me', alice)).me.id).toBe(values.userId);

    values.supplierId = (await run('CreateSupplier', alice)).createSupplier.id;
    expect((await run('Supplier')).supplier.createdBy.id).toBe(values.userId);
    expect((await run('Suppliers')).suppliers.length).toBeGreaterThan(0);
    expect((await run('UpdateSupplier', alice)).updateSupplier.address).toBe('2 Main St');

    const { createOrder } = await run('CreateOrder', alice);
    values.orderId = createOrder.id;
    expect(createOrder.supplier.id).toBe(values.supplierId);
    expect((await run('Order', alice)).order.user.id).toBe(values.userId);
    expect((await run('Orders', alice)).orders.map((o: { id: string }) => o.id)).toContain(
      values.orderId,
    );
    const { me } = await run('MyGraph', alice);
    expect(me.orders.map((o: { item: string }) => o.item)).toContain('bolts');
    expect(me.suppliers.map((s: { name: string }) => s.name)).toContain('Acme');
    const { user } = await run('UserGraph', alice);
    expect(user.orders.length).toBe(me.orders.length);
    expect((await run('User', alice)).user.username).toBe('alice');
    expect((await run('CancelOrder', alice)).cancelOrder.status).toBe('CANCELLED');
    expect((await run('DeleteSupplier', alice)).deleteSupplier).toBe(true);
    expect((await run('UpdateUser', alice)).updateUser.email).toBe('new-address@example.com');

    values.refreshToken = (await run('RefreshToken')).refreshToken.refreshToken;
    expect((await run('Logout')).logout).toBe(true);

    expect((await run('Register')).register.user.role).toBe('USER');
    const admin = (await run('Login', undefined, { username: 'admin', password: 'admin-password' }))
      .login.accessToken as string;
    expect((await run('Users', admin)).users.length).toBeGreaterThanOrEqual(3);
    values.userId = (await run('CreateUser', admin)).createUser.id;
    expect((await run('DeleteUser', admin)).deleteUser).toBe(true);

    // The operations of a subgraph added later (`npm run new-subgraph`), as alice signed in again:
    // its creates first, each storing its id for `{{<entity>Id}}`, then its queries, then deletes.
    const rest = [...byName.keys()].filter((name) => !ran.has(name));
    if (rest.length > 0) {
      const again = (await run('Login')).login.accessToken as string;
      const stage = (name: string) => (/^Create/.test(name) ? 0 : /^Delete/.test(name) ? 2 : 1);
      for (const name of rest.sort((a, b) => stage(a) - stage(b))) {
        const data = await run(name, again);
        const entity = /^Create(\w+)$/.exec(name)?.[1];
        if (entity) {
          const created = Object.values(data)[0] as { id?: unknown };
          expect({ name, id: typeof created.id }).toEqual({ name, id: 'string' });
          values[`${entity.charAt(0).toLowerCase()}${entity.slice(1)}Id`] = String(created.id);
        }
      }
    }

    expect([...ran].sort()).toEqual([...byName.keys()].sort());
  });
});

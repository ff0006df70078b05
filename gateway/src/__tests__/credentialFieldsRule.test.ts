import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '@fedstack/runtime/config';
import { buildSchema, parse, validate } from 'graphql';
import { readGatewayConfig } from '../config';
import { credentialFieldsRule } from '../credentialFieldsRule';

const schema = buildSchema(`
  type Payload { token: String! }
  type Supplier { id: ID! }
  type Query { login: Boolean, ping: Boolean }
  type Mutation {
    login(username: String!, password: String!): Payload!
    register(username: String!): Payload!
    refreshToken(token: String!): Payload!
    signIn(username: String!): Payload!
    createSupplier(name: String!): Supplier!
    logout: Boolean!
  }
`);

const DEFAULT_FIELDS = ['login', 'register', 'refreshToken'];

/** The messages the rule alone reports for `document`. */
function refusals(document: string, fields: string[] = DEFAULT_FIELDS): string[] {
  return validate(schema, parse(document), [credentialFieldsRule(fields)]).map(
    (error) => error.message,
  );
}

const LOGIN = 'login(username: "a", password: "b") { token }';

describe('credentialFieldsRule', () => {
  it('lets one credential field through, beside other mutations', () => {
    expect(refusals(`mutation { ${LOGIN} }`)).toEqual([]);
    expect(refusals(`mutation { createSupplier(name: "x") { id } ${LOGIN} logout }`)).toEqual([]);
  });

  it('refuses login interleaved with another mutation, naming each field', () => {
    expect(
      refusals(`mutation { ${LOGIN} createSupplier(name: "x") { id } second: ${LOGIN} }`),
    ).toEqual([
      'An operation may hold at most one login, register or refreshToken field, found 2: login, second: login.',
    ]);
  });

  it('counts aliases and different credential fields', () => {
    const sixteen = Array.from({ length: 16 }, (_, i) => `l${i}: ${LOGIN}`).join(' ');
    expect(refusals(`mutation { ${sixteen} }`)[0]).toMatch(/found 16: l0: login, l1: login, /);
    expect(
      refusals('mutation { register(username: "a") { token } refreshToken(token: "t") { token } }'),
    ).toEqual([
      'An operation may hold at most one login, register or refreshToken field, found 2: register, refreshToken.',
    ]);
  });

  it('counts fields reached through inline fragments and named fragments on Mutation', () => {
    expect(refusals(`mutation { ${LOGIN} ... on Mutation { other: ${LOGIN} } }`)).toHaveLength(1);
    expect(
      refusals(`
        mutation { ${LOGIN} ...Outer }
        fragment Outer on Mutation { ...Inner }
        fragment Inner on Mutation { again: register(username: "c") { token } }
      `),
    ).toEqual([
      'An operation may hold at most one login, register or refreshToken field, found 2: login, again: register.',
    ]);
  });

  it('counts a field repeated under the same response key once, as GraphQL merges it into one call', () => {
    expect(refusals(`mutation { ${LOGIN} ${LOGIN} ... on Mutation { ${LOGIN} } }`)).toEqual([]);
  });

  it('leaves queries alone, even with a field of the same name', () => {
    expect(refusals('query { login a: login ping }')).toEqual([]);
  });

  it('uses the configured names only', () => {
    const two = `mutation { a: ${LOGIN} b: ${LOGIN} }`;
    expect(refusals(two, ['signIn'])).toEqual([]);
    expect(
      refusals(
        'mutation { a: signIn(username: "x") { token } b: signIn(username: "y") { token } }',
        ['signIn'],
      ),
    ).toEqual(['An operation may hold at most one signIn field, found 2: a: signIn, b: signIn.']);
  });
});

describe('CREDENTIAL_FIELDS', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'credential-fields-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const read = (value?: string) =>
    readGatewayConfig({
      SUPERGRAPH_FILE: resolve(__dirname, '..', '..', '..', 'supergraph.graphql'),
      DATA_DIR: dataDir,
      CREDENTIAL_FIELDS: value,
    }).credentialFields;

  it('defaults to login, register and refreshToken, and takes a comma list', () => {
    expect(read()).toEqual(DEFAULT_FIELDS);
    expect(read(' signIn , signUp ')).toEqual(['signIn', 'signUp']);
  });

  it('refuses a value that is not a field name, naming the variable', () => {
    expect(() => read('login,Mutation.register')).toThrow(ConfigError);
    expect(() => read('login,Mutation.register')).toThrow(
      'CREDENTIAL_FIELDS must be a comma list of mutation field names like login,register, got "Mutation.register"',
    );
  });
});

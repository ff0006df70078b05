import { envReader, readMetricsSettings } from '../config';
import { operationLabeler, statementLabel } from '../metrics';
import { requestIdOf } from '../requestId';
import { oneLine } from '../runService';

describe('operationLabeler', () => {
  it('keeps plain names and folds the rest into a few values', () => {
    const operationLabel = operationLabeler('*');
    expect(operationLabel('MyOrders')).toBe('MyOrders');
    expect(operationLabel(undefined)).toBe('anonymous');
    expect(operationLabel('')).toBe('anonymous');
    expect(operationLabel('has space')).toBe('invalid');
    expect(operationLabel('x'.repeat(101))).toBe('invalid');
  });

  it('with *, stops taking new names after 500', () => {
    const operationLabel = operationLabeler('*');
    operationLabel('MyOrders');
    for (let i = 0; i < 600; i += 1) operationLabel(`Op${i}`);
    expect(operationLabel('Op599')).toBe('other');
    expect(operationLabel('MyOrders')).toBe('MyOrders');
  });

  it('with a list, labels only its names, a subgraph part by its operation, the rest other', () => {
    const operationLabel = operationLabeler(['MyOrders', 'Me']);
    for (let i = 0; i < 1000; i += 1) {
      expect(operationLabel(`R${Math.random().toString(36).slice(2)}`)).toBe('other');
    }
    expect(operationLabel('MyOrders')).toBe('MyOrders');
    expect(operationLabel('MyOrders__orders__0')).toBe('MyOrders');
    expect(operationLabel('Me__users__12')).toBe('Me');
    expect(operationLabel('Other__users__1')).toBe('other');
    expect(operationLabel('MyOrdersX')).toBe('other');
  });
});

describe('readMetricsSettings', () => {
  const read = (env: Record<string, string>, nodeEnv: 'development' | 'production') =>
    readMetricsSettings(envReader(env), nodeEnv);

  it('serves metrics on the own port, labelling the first names seen, outside production', () => {
    expect(read({}, 'development')).toEqual({
      metricsEnabled: true,
      metricsPort: undefined,
      metricsOperations: '*',
    });
  });

  it('in production serves them only with METRICS_PORT, and labels only listed names', () => {
    expect(read({}, 'production')).toEqual({
      metricsEnabled: false,
      metricsPort: undefined,
      metricsOperations: [],
    });
    expect(
      read({ METRICS_PORT: '9464', METRICS_OPERATIONS: 'MyOrders, Me' }, 'production'),
    ).toEqual({
      metricsEnabled: true,
      metricsPort: 9464,
      metricsOperations: ['MyOrders', 'Me'],
    });
    expect(read({ METRICS_ENABLED: 'true' }, 'production').metricsEnabled).toBe(true);
    expect(
      read({ METRICS_PORT: '9464', METRICS_ENABLED: 'false' }, 'production').metricsEnabled,
    ).toBe(false);
  });

  it('refuses * mixed with names', () => {
    expect(() => read({ METRICS_OPERATIONS: '*,MyOrders' }, 'development')).toThrow(
      'METRICS_OPERATIONS must be * or a comma list of operation names, got "*,MyOrders"',
    );
  });
});

describe('statementLabel', () => {
  it('names the kind of statement from what Sequelize logs', () => {
    expect(statementLabel('Executed (default): SELECT 1+1 AS result')).toBe('select');
    expect(statementLabel('Executed (abc-123): INSERT INTO `orders` ...')).toBe('insert');
    expect(statementLabel('Executed (abc-123): BEGIN DEFERRED TRANSACTION;')).toBe('begin');
    expect(statementLabel('Executed (default): WITH x AS (SELECT 1) SELECT * FROM x')).toBe(
      'select',
    );
    expect(statementLabel('Executed (default): VACUUM')).toBe('other');
  });
});

describe('requestIdOf', () => {
  it('keeps a plain id of at most 128 characters and replaces anything else', () => {
    expect(requestIdOf('abc.DEF_1:2-3')).toBe('abc.DEF_1:2-3');
    for (const given of [undefined, '', 'a b', 'x'.repeat(129), 'a\u00e9']) {
      expect(requestIdOf(given)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('oneLine', () => {
  it('folds a GraphQL error with code frames into one line', () => {
    const message = [
      'The schema is not a valid GraphQL schema.. Caused by:',
      'Invalid value for "@join__type(graph:)".',
      '',
      'GraphQL request:157:12',
      '157 | type Query @join__type(graph: NOPE)',
      '    |            ^',
    ].join('\n');
    expect(oneLine(message)).toBe(
      'The schema is not a valid GraphQL schema.. Caused by: Invalid value for "@join__type(graph:)".',
    );
  });
});

import type { Answer, DifferentialOperation } from './types';

/**
 * Fails unless the reference's answer has the shape the operation expects (`expect`, default
 * `'data'`: data and no errors), so that two gateways failing alike, or an operation that no
 * longer reaches what it was written for, do not pass for a match.
 */
export function expectShape(operation: DifferentialOperation, reference: Answer): void {
  const { data, errors } = reference.body;
  const shape = {
    data: data === undefined ? 'absent' : data === null ? 'null' : 'some',
    errors: errors && errors.length > 0 ? 'some' : 'none',
  };
  switch (operation.expect ?? 'data') {
    case 'data':
      expect({ shape, errors }).toEqual({ shape: { data: 'some', errors: 'none' }, errors });
      break;
    case 'partial':
      expect({ shape, data }).toEqual({ shape: { data: 'some', errors: 'some' }, data });
      break;
    case 'errors':
      expect({ shape, data }).toEqual({ shape: { data: shape.data, errors: 'some' }, data });
      break;
  }
}

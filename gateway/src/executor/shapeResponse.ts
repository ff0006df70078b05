import { ERRORS } from '@apollo/federation-internals';
import type { GraphQLError } from 'graphql';
import type {
  ApiTypes,
  CompiledOperation,
  IfArgument,
  LeafKind,
  Step,
  TypeRef,
  ValueShape,
} from './compileOperation';

type Data = Record<string, unknown>;

const hasOwn = (object: object, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(object, key);

/** One shaping pass: its variables, where it is, what went wrong, and the last value's flags. */
interface Pass {
  readonly variables: Readonly<Record<string, unknown>> | undefined;
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly types: ApiTypes;
  readonly path: (string | number)[];
  readonly errors: GraphQLError[];
  /** The value just computed is a null where its type forbids one: its parent must become null. */
  invalid: boolean;
  /** An error was already recorded for the value just computed (no second one as null bubbles up). */
  hasErrors: boolean;
}

function ifValue(argument: IfArgument, directive: string, pass: Pass): boolean {
  if (typeof argument === 'boolean') return argument;
  const value =
    pass.variables !== undefined && hasOwn(pass.variables, argument)
      ? pass.variables[argument]
      : pass.defaults[argument];
  if (typeof value !== 'boolean') {
    throw new Error(
      `Unexpected value ${String(value)} for variable $${argument} of @${directive}(if: $${argument})`,
    );
  }
  return value;
}

function describe(path: (string | number)[], display: string, parent: TypeRef): string {
  const last = path[path.length - 1];
  return typeof last === 'string'
    ? `field ${parent.name}.${last}`
    : `array element of type ${display} at index ${last}`;
}

const INTEGER = /^[-+]?\d+$/;

function isValidLeaf(leaf: LeafKind, value: unknown): boolean {
  if (leaf.kind === 'custom') return true;
  if (typeof value === 'boolean') return leaf.kind === 'Boolean';
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (leaf.kind === 'Int' || leaf.kind === 'ID') return INTEGER.test(String(value));
    return leaf.kind === 'Float';
  }
  if (typeof value === 'string') {
    if (leaf.kind === 'enum') return leaf.values.has(value);
    return leaf.kind !== 'Boolean' && leaf.kind !== 'Int' && leaf.kind !== 'Float';
  }
  return false;
}

function done(pass: Pass, invalid: boolean, hasErrors: boolean): void {
  pass.invalid = invalid;
  pass.hasErrors = hasErrors;
}

/** Shapes `input` for `shape` into `output` (undefined the first time a response name is met). */
function shapeValue(
  output: unknown,
  shape: ValueShape,
  input: unknown,
  selections: readonly Step[] | undefined,
  pass: Pass,
  parent: TypeRef,
): unknown {
  if (output === null || (output !== undefined && selections === undefined)) {
    done(pass, false, false);
    return output;
  }
  if (shape.kind === 'nonNull') {
    const value = shapeValue(output, shape.of, input, selections, pass, parent);
    if (value === null) {
      if (!pass.hasErrors) {
        const inner = shape.of.kind === 'nonNull' ? '' : shape.of.display;
        pass.errors.push(
          ERRORS.INVALID_GRAPHQL.err(
            `Cannot return null for non-nullable ${describe(pass.path, inner, parent)}.`,
            { path: pass.path.slice() },
          ),
        );
      }
      done(pass, true, true);
      return null;
    }
    done(pass, false, false);
    return value;
  }
  if (input === null) {
    done(pass, false, false);
    return null;
  }
  if (shape.kind === 'list') {
    if (!Array.isArray(input)) {
      throw new Error(
        `Invalid non-list value ${String(input)} returned by subgraph for list type ${shape.display}`,
      );
    }
    if (output !== undefined && !Array.isArray(output)) {
      throw new Error(
        `Invalid non-list value ${String(output)} returned by subgraph for list type ${shape.display}`,
      );
    }
    const previous = output as unknown[] | undefined;
    if (previous !== undefined && previous.length !== input.length) {
      throw new Error(
        `[${String(input)}].length (${input.length}) !== [${String(previous)}].length (${previous.length})`,
      );
    }
    const list: unknown[] = [];
    let nullify = false;
    let hasErrors = false;
    const path = pass.path;
    for (let index = 0; index < input.length; index += 1) {
      path.push(index);
      list.push(
        shapeValue(
          previous === undefined ? undefined : previous[index],
          shape.of,
          input[index] as unknown,
          selections,
          pass,
          parent,
        ),
      );
      path.pop();
      nullify ||= pass.invalid;
      hasErrors ||= pass.hasErrors;
    }
    done(pass, false, hasErrors);
    return nullify ? null : list;
  }
  if (shape.kind === 'composite') {
    if (selections === undefined) {
      throw new Error(`Invalid empty selection set for composite type ${shape.display}`);
    }
    if (typeof input !== 'object' || (output !== undefined && typeof output !== 'object')) {
      throw new Error(
        `Invalid non-object value ${String(input)} returned by subgraph for composite type ${shape.display}`,
      );
    }
    const object = input as Data;
    const typename = object.__typename;
    if (typename !== undefined && typeof typename !== 'string') {
      throw new Error(
        `Invalid non-string value ${String(typename)} for __typename at ${pass.path}`,
      );
    }
    let type = shape.type;
    if (typename) {
      const named = pass.types.get(typename);
      if (!named || !named.isComposite) {
        // The name may be an @inaccessible type's: it stays out of the message.
        pass.errors.push(
          ERRORS.INVALID_GRAPHQL.err(
            `Invalid __typename found for object at ${describe(pass.path, shape.display, parent)}.`,
            { path: pass.path.slice() },
          ),
        );
        done(pass, false, true);
        return null;
      }
      type = named;
    }
    const shaped = (output as Data | undefined) ?? (Object.create(null) as Data);
    const bubbled = shapeSelections(selections, object, shaped, pass, type);
    done(pass, false, bubbled);
    return bubbled ? null : shaped;
  }
  const valid = isValidLeaf(shape.leaf, input);
  if (!valid) {
    pass.errors.push(
      ERRORS.INVALID_GRAPHQL.err(
        `Invalid value found for ${describe(pass.path, shape.display, parent)}.`,
        { path: pass.path.slice() },
      ),
    );
  }
  done(pass, false, !valid);
  return valid ? input : null;
}

/** Applies `selections` to `input` into `output`; true when a null must bubble up to the parent. */
function shapeSelections(
  selections: readonly Step[],
  input: Data,
  output: Data,
  pass: Pass,
  parent: TypeRef,
): boolean {
  for (const step of selections) {
    if (step.skip !== undefined && ifValue(step.skip, 'skip', pass)) continue;
    if (step.include !== undefined && !ifValue(step.include, 'include', pass)) continue;
    if (step.kind === 'field') {
      const name = step.responseName;
      const previous = output[name];
      let value = step.inherited && !hasOwn(input, name) ? undefined : input[name];
      if (value === undefined) value = null;
      if (step.isTypename) {
        if (previous === undefined) {
          if (value === null && name !== '__typename') value = input.__typename ?? null;
          const type = typeof value === 'string' ? (pass.types.get(value) ?? parent) : parent;
          if (!type.isObject) return true;
          output[name] = type.name;
        }
        continue;
      }
      pass.path.push(name);
      output[name] = shapeValue(previous, step.shape, value, step.selections, pass, parent);
      pass.path.pop();
      if (pass.invalid) return true;
    } else {
      const typename = input.__typename;
      if (typename && typeof typename !== 'string') {
        throw new Error(`Got unexpected value for __typename: ${String(typename)}`);
      }
      if (
        step.condition === undefined ||
        step.appliesTo.has(typename ? (typename as string) : parent.name)
      ) {
        if (shapeSelections(step.selections, input, output, pass, step.condition ?? parent)) {
          return true;
        }
      }
    }
  }
  return false;
}

/**
 * Builds the client's response from the merged subgraph data in one pass over the compiled
 * operation, as @apollo/gateway's `computeResponse` does: only the fields asked for, in the
 * operation's order, under their aliases, with `@skip`/`@include` applied, `__typename` from the
 * API schema, leaf values checked against their type, and nulls propagated through non-null
 * fields with one error each. The errors are those of this pass ("value completion").
 */
export function shapeResponse(
  compiled: CompiledOperation,
  input: Data,
  variables: Readonly<Record<string, unknown>> | undefined,
  types: ApiTypes,
): { data: Data | null; errors: GraphQLError[] } {
  const pass: Pass = {
    variables,
    defaults: compiled.defaultedVariables,
    types,
    path: [],
    errors: [],
    invalid: false,
    hasErrors: false,
  };
  const data = Object.create(null) as Data;
  const bubbled = shapeSelections(compiled.selections, input, data, pass, compiled.rootType);
  return { data: bubbled ? null : data, errors: pass.errors };
}

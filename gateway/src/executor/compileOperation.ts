import {
  isCompositeType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isSubtype,
  Variable,
  type CompositeType,
  type EnumType,
  type ScalarType,
  type Operation,
  type OperationElement,
  type OutputType,
  type Schema,
  type SelectionSet,
} from '@apollo/federation-internals';
import { ExecutorFallback } from './ExecutorFallback';

/** A named type of the API schema, as result shaping needs it. */
export interface TypeRef {
  readonly name: string;
  readonly isObject: boolean;
  readonly isComposite: boolean;
}

/** `@skip`/`@include` argument: a constant or the name of a variable. */
export type IfArgument = boolean | string;

/** How a value of a field's type is checked and shaped; `display` is the type as GraphQL prints it. */
export type ValueShape =
  | { readonly kind: 'nonNull'; readonly of: ValueShape }
  | { readonly kind: 'list'; readonly of: ValueShape; readonly display: string }
  | { readonly kind: 'composite'; readonly type: TypeRef; readonly display: string }
  | { readonly kind: 'leaf'; readonly leaf: LeafKind; readonly display: string };

export type LeafKind =
  | { readonly kind: 'custom' }
  | { readonly kind: 'Boolean' | 'Int' | 'ID' | 'Float' | 'String' }
  | { readonly kind: 'enum'; readonly values: ReadonlySet<string> };

interface Conditional {
  readonly skip: IfArgument | undefined;
  readonly include: IfArgument | undefined;
}

export interface FieldStep extends Conditional {
  readonly kind: 'field';
  readonly responseName: string;
  /** The response name is also a property of every object (`constructor`): read own values only. */
  readonly inherited: boolean;
  readonly isTypename: boolean;
  readonly shape: ValueShape;
  readonly selections: readonly Step[] | undefined;
}

export interface FragmentStep extends Conditional {
  readonly kind: 'fragment';
  /** Undefined for a fragment without a type condition. */
  readonly condition: TypeRef | undefined;
  /** Names of the API-schema types the condition applies to (itself, implementations, members). */
  readonly appliesTo: ReadonlySet<string>;
  readonly selections: readonly Step[];
}

export type Step = FieldStep | FragmentStep;

/** An operation compiled for result shaping against one API schema. */
export interface CompiledOperation {
  readonly operation: Operation;
  readonly rootType: TypeRef;
  readonly selections: readonly Step[];
  /** Default values of the operation's variables, which `@skip`/`@include` fall back on. */
  readonly defaultedVariables: Readonly<Record<string, unknown>>;
}

/** Looks types of one API schema up, each described once. */
export class ApiTypes {
  private readonly refs = new Map<string, TypeRef | null>();
  private readonly subtypeSets = new Map<string, ReadonlySet<string>>();

  constructor(readonly schema: Schema) {}

  /** The named type, or undefined when the API schema has none by that name. */
  get(name: string): TypeRef | undefined {
    let ref = this.refs.get(name);
    if (ref === undefined) {
      const type = this.schema.type(name);
      ref = type
        ? { name: type.name, isObject: isObjectType(type), isComposite: isCompositeType(type) }
        : null;
      this.refs.set(name, ref);
    }
    return ref ?? undefined;
  }

  /** Names of the types a fragment on `condition` applies to, as the API schema's subtyping says. */
  appliesTo(condition: CompositeType): ReadonlySet<string> {
    let set = this.subtypeSets.get(condition.name);
    if (!set) {
      const names = new Set<string>([condition.name]);
      for (const type of this.schema.types()) {
        if ((isObjectType(type) || isInterfaceType(type)) && isSubtype(condition, type)) {
          names.add(type.name);
        }
      }
      set = names;
      this.subtypeSets.set(condition.name, set);
    }
    return set;
  }
}

const BUILT_IN_LEAVES = new Set(['Boolean', 'Int', 'ID', 'Float', 'String']);

function leafKindOf(type: ScalarType | EnumType): LeafKind {
  if (isEnumType(type)) {
    return { kind: 'enum', values: new Set(type.values.map((value) => value.name)) };
  }
  if (BUILT_IN_LEAVES.has(type.name)) {
    return { kind: type.name as 'Boolean' | 'Int' | 'ID' | 'Float' | 'String' };
  }
  return { kind: 'custom' };
}

function shapeOf(type: OutputType, types: ApiTypes): ValueShape {
  if (isNonNullType(type)) return { kind: 'nonNull', of: shapeOf(type.ofType, types) };
  if (isListType(type)) {
    return { kind: 'list', of: shapeOf(type.ofType, types), display: type.toString() };
  }
  if (isCompositeType(type)) {
    const ref = types.get(type.name);
    if (!ref) throw new ExecutorFallback('unknown-type');
    return { kind: 'composite', type: ref, display: type.toString() };
  }
  return {
    kind: 'leaf',
    leaf: leafKindOf(type as ScalarType | EnumType),
    display: type.toString(),
  };
}

function ifArgumentOf(element: OperationElement, name: 'skip' | 'include'): IfArgument | undefined {
  const directive = element.appliedDirectivesOf(name)[0];
  if (!directive) return undefined;
  const value: unknown = directive.arguments().if;
  if (value instanceof Variable) return value.name;
  if (typeof value === 'boolean') return value;
  throw new ExecutorFallback('directive-argument');
}

function compileSelections(selectionSet: SelectionSet, types: ApiTypes): Step[] {
  const steps: Step[] = [];
  for (const selection of selectionSet.selections()) {
    const element = selection.element;
    const skip = ifArgumentOf(element, 'skip');
    const include = ifArgumentOf(element, 'include');
    if (element.appliedDirectivesOf('defer').length > 0) throw new ExecutorFallback('defer');
    if (selection.kind === 'FieldSelection') {
      const field = selection.element;
      const definition = field.definition;
      if (definition.isSchemaIntrospectionField()) throw new ExecutorFallback('introspection');
      const responseName = field.responseName();
      steps.push({
        kind: 'field',
        responseName,
        inherited: responseName in Object.prototype,
        isTypename: field.name === '__typename',
        shape: shapeOf(definition.type!, types),
        selections: selection.selectionSet
          ? compileSelections(selection.selectionSet, types)
          : undefined,
        skip,
        include,
      });
    } else {
      const condition = selection.element.typeCondition;
      steps.push({
        kind: 'fragment',
        condition: condition ? types.get(condition.name) : undefined,
        appliesTo: condition ? types.appliesTo(condition) : new Set(),
        selections: compileSelections(selection.selectionSet, types),
        skip,
        include,
      });
    }
  }
  return steps;
}

/**
 * Compiles `operation` (built against `types.schema`, the API schema) into the steps that shape
 * the response: response names, `@skip`/`@include`, type conditions and the type of every field,
 * so that shaping a response touches no schema object. Throws an `ExecutorFallback` for what only
 * Apollo's executor handles (introspection, `@defer`).
 */
export function compileOperation(operation: Operation, types: ApiTypes): CompiledOperation {
  const root = types.schema.schemaDefinition.rootType(operation.rootKind);
  const rootType = root ? types.get(root.name) : undefined;
  if (!rootType) throw new ExecutorFallback('unknown-type');
  return {
    operation,
    rootType,
    selections: compileSelections(operation.selectionSet, types),
    defaultedVariables: operation.collectDefaultedVariableValues(),
  };
}

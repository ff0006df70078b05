import {
  isAbstractType,
  isInterfaceType,
  isObjectType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

/**
 * Type conditions of the supergraph (not the API schema: entity representations and rewrites may
 * name @inaccessible types, which subgraphs know), each worked out once.
 */
export class SupergraphTypes {
  private readonly matches = new Map<string, ReadonlySet<string>>();

  constructor(private readonly schema: GraphQLSchema) {}

  /**
   * Whether `object` is of `typeCondition`, as @apollo/gateway decides it: by its `__typename`
   * (`whenUnknown` without one), equal to the condition or a subtype of an abstract condition.
   */
  isObjectOfType(object: Record<string, unknown>, typeCondition: string, whenUnknown: boolean) {
    const typename = object.__typename;
    if (!typename) return whenUnknown;
    if (typename === typeCondition) return true;
    return typeof typename === 'string' && this.subtypesOf(typeCondition).has(typename);
  }

  private subtypesOf(typeCondition: string): ReadonlySet<string> {
    let names = this.matches.get(typeCondition);
    if (!names) {
      const set = new Set<string>();
      const condition = this.schema.getType(typeCondition);
      if (condition && isAbstractType(condition)) {
        const types: GraphQLNamedType[] = Object.values(this.schema.getTypeMap());
        for (const type of types) {
          if (
            (isObjectType(type) || isInterfaceType(type)) &&
            this.schema.isSubType(condition, type)
          ) {
            set.add(type.name);
          }
        }
      }
      names = set;
      this.matches.set(typeCondition, names);
    }
    return names;
  }
}

/**
 * An entity owned by another subgraph, as this one knows it: the typename and the key. The gateway
 * resolves the rest against the owning subgraph; building one runs no SQL.
 */
export interface EntityReference<TTypename extends string> {
  __typename?: TTypename;
  id: string;
}

/** A user as subgraphs other than users know one. */
export type UserReference = EntityReference<'User'>;

export function userReference(id: string): UserReference {
  return { __typename: 'User', id };
}

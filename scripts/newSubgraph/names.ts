import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

/** Every name the scaffolder derives from a subgraph's name and its entity's name. */
export interface Names {
  /** The subgraph: `reviews`, `product-reviews`. */
  name: string;
  /** `Reviews`, `ProductReviews`: its TypeScript types (`ReviewsConfig`). */
  pascal: string;
  /** `reviews`, `productReviews`: its definition's export (`reviewsSubgraph`). */
  camel: string;
  /** The `<NAME>` of its variables: `REVIEWS`, `PRODUCT_REVIEWS`. */
  constant: string;
  /** Its PostgreSQL role and database in docker-compose.yml: `reviews`, `product_reviews`. */
  databaseName: string;
  /** The entity type: `Review`. */
  entity: string;
  /** `review`: the by-id field, the loader and the operations' `{{reviewId}}` placeholder. */
  entityCamel: string;
  /** `reviews`: the list fields (`Query.reviews`, `User.reviews`). */
  plural: string;
  /** `Reviews`: the list operation and the seed (`seedReviews`). */
  pluralPascal: string;
  /** `reviews`, `product_reviews`: the table. */
  table: string;
  /** The root fields it adds, as `Query.reviews`. */
  rootFields: string[];
  /** The type names it adds to the supergraph. */
  types: string[];
  variables: { url: string; port: string; databaseUrl: string; dbPassword: string };
}

/** Lower-case letters, digits and single dashes, starting with a letter. */
export const SUBGRAPH_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const ENTITY_NAME = /^[A-Z][A-Za-z0-9]*$/;
/** Type names a subgraph's schema already uses for something else. */
const RESERVED_TYPES = new Set(['User', 'Query', 'Mutation', 'Subscription', 'DateTime']);

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
const uncapitalize = (word: string) => word.charAt(0).toLowerCase() + word.slice(1);

/** `reviews` → `Review`, `categories` → `Category`, `address` → `Address`. */
export function singular(word: string): string {
  if (/[^aeiou]ies$/.test(word)) return `${word.slice(0, -3)}y`;
  if (/(ss|us|is)$/.test(word)) return word;
  if (/(x|ch|sh|ss)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** `review` → `reviews`, `category` → `categories`, `box` → `boxes`. */
export function plural(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

/** `ProductReview` → `product_review`. */
function snake(word: string): string {
  return word.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * The names of subgraph `name` whose entity is `entity` (default: the PascalCase singular of the
 * name). Throws, saying what is expected, when either is malformed.
 */
export function namesOf(name: string, entity?: string): Names {
  if (!SUBGRAPH_NAME.test(name)) {
    throw new Error(
      `subgraph name must be lower-case letters, digits and dashes, starting with a letter (e.g. reviews, product-reviews), got "${name}"`,
    );
  }
  const words = name.split('-');
  const pascal = words.map(capitalize).join('');
  const entityName = entity ?? capitalize(singular(pascal));
  if (!ENTITY_NAME.test(entityName)) {
    throw new Error(
      `--entity must be a PascalCase GraphQL type name (letters and digits, e.g. Review), got "${entityName}"`,
    );
  }
  if (RESERVED_TYPES.has(entityName)) {
    throw new Error(`--entity ${entityName} is a type every subgraph already uses; pick another`);
  }
  const entityCamel = uncapitalize(entityName);
  const pluralCamel = plural(entityCamel);
  const variables = subgraphVariables(name);
  const constant = variables.port.slice(0, -'_PORT'.length);
  return {
    name,
    pascal,
    camel: uncapitalize(pascal),
    constant,
    databaseName: name.replace(/-/g, '_'),
    entity: entityName,
    entityCamel,
    plural: pluralCamel,
    pluralPascal: capitalize(pluralCamel),
    table: snake(pluralCamel),
    rootFields: [
      `Query.${pluralCamel}`,
      `Query.${entityCamel}`,
      `Mutation.create${entityName}`,
      `Mutation.delete${entityName}`,
    ],
    types: [entityName, `Create${entityName}Input`],
    variables: { ...variables, dbPassword: `${constant}_DB_PASSWORD` },
  };
}

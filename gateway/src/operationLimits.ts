import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  type GraphQLFormattedError,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { OperationLimits } from './config';
import { maxRootFieldsRule } from './maxRootFieldsRule';
import { ErrorCode } from '@fedstack/runtime/errors';

type ArmorConfig = NonNullable<ConstructorParameters<typeof ApolloArmor>[0]>;

/**
 * graphql-armor prefixes every refusal with "Syntax Error: ", although these are validation
 * failures; report them through the validation context without it, so Apollo Server answers
 * 400 `GRAPHQL_VALIDATION_FAILED` with a message such as "Query depth limit of 10 exceeded,
 * found 11."
 */
function reportWithoutPrefix(context: ValidationContext | null, error: GraphQLError): void {
  context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')));
}

function asValidation() {
  return { propagateOnRejection: false, onReject: [reportWithoutPrefix] };
}

/**
 * The graphql-armor protections for `limits`: depth (a root field is depth 1), aliases and
 * directives as validation rules, plus this gateway's root-field limit. The cost limit is
 * `costLimitPlugin`, which needs the variables. Field suggestions in error messages are removed when
 * `blockFieldSuggestions` is set (production).
 *
 * Tokens are not counted here: armor's Apollo token plugin parses every new document a second
 * time and answers HTTP 500 when the limit is hit. graphql-js's own `maxTokens` parse option
 * (see `parseOptionsFor`) stops the lexer at the limit and Apollo Server answers 400.
 */
export function operationLimitProtection(
  limits: OperationLimits,
  options: { blockFieldSuggestions: boolean },
): { plugins: ApolloServerPlugin[]; validationRules: ValidationRule[] } {
  const config: ArmorConfig = {
    maxDepth: { n: limits.maxDepth, ...asValidation() },
    maxAliases: { n: limits.maxAliases, ...asValidation() },
    maxDirectives: { n: limits.maxDirectives, ...asValidation() },
    // Armor's cost does not multiply by `limit`; `costLimitPlugin` prices lists instead.
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: options.blockFieldSuggestions },
  };
  const { plugins, validationRules } = new ApolloArmor(config).protect();
  return {
    plugins,
    validationRules: [...validationRules, maxRootFieldsRule(limits.maxRootFields)],
  };
}

/** Apollo Server's `parseOptions`: the token limit, enforced while lexing. */
export function parseOptionsFor(limits: OperationLimits): { maxTokens: number } {
  return { maxTokens: limits.maxTokens };
}

// graphql-js 16 writes "more that"; later versions may fix the typo.
const TOKEN_LIMIT_MESSAGE = /^Syntax Error: Document contains more (?:than|that) (\d+) tokens\./;

/**
 * graphql-js reports a document over `maxTokens` as a syntax error; like the other limits, it is
 * reported to the client as `GRAPHQL_VALIDATION_FAILED` with a message naming the limit, e.g.
 * "Token limit of 2000 exceeded." Returns null for any other error.
 */
export function tokenLimitError(formatted: GraphQLFormattedError): GraphQLFormattedError | null {
  if (formatted.extensions?.code !== ErrorCode.GRAPHQL_PARSE_FAILED) return null;
  const match = TOKEN_LIMIT_MESSAGE.exec(formatted.message);
  if (!match) return null;
  return {
    message: `Token limit of ${match[1]} exceeded.`,
    extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
  };
}

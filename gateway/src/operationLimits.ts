import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { OperationLimits } from './config';

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
 * The graphql-armor protections for `limits`: depth (a root field is depth 1), aliases,
 * directives and cost as validation rules. Field suggestions in error messages are removed when
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
    costLimit: { maxCost: limits.maxCost, ...asValidation() },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: options.blockFieldSuggestions },
  };
  const { plugins, validationRules } = new ApolloArmor(config).protect();
  return { plugins, validationRules };
}

/** Apollo Server's `parseOptions`: the token limit, enforced while lexing. */
export function parseOptionsFor(limits: OperationLimits): { maxTokens: number } {
  return { maxTokens: limits.maxTokens };
}

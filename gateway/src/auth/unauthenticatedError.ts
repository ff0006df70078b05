import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { AccessTokenError } from './AccessTokenError';
import { ErrorCode } from '@fedstack/runtime/errors';

/**
 * The error a refused token becomes: thrown from the context function, it makes Apollo Server
 * answer HTTP 401 before anything is parsed or executed, with the RFC 6750 challenge header.
 */
export function unauthenticatedError(error: AccessTokenError): GraphQLError {
  const message = error.publicMessage;
  return new GraphQLError(message, {
    extensions: {
      code: ErrorCode.UNAUTHENTICATED,
      http: {
        status: 401,
        headers: new HeaderMap([
          ['www-authenticate', `Bearer error="invalid_token", error_description="${message}"`],
        ]),
      },
    },
  });
}

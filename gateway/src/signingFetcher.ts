import type { Fetcher } from '@apollo/utils.fetcher';
import {
  ENVELOPE_HEADERS,
  envelopeKey,
  signEnvelope,
  type EnvelopeSecret,
  type Identity,
} from '@fedstack/kit/envelope';

/** Headers only the signing layer may set; whatever else put them on a request is dropped. */
function isEnvelopeHeader(name: string): boolean {
  return (
    name.startsWith('x-user-') ||
    name.startsWith('x-gateway-') ||
    name === ENVELOPE_HEADERS.clientAddress
  );
}

/**
 * Wraps a `Fetcher` so that every request carries the gateway's identity envelope, computed over
 * the exact body being sent. The caller to forward is read from the request's own `x-user-id`,
 * `x-user-role`, `x-user-session` and `x-user-token-version` headers (set by the data source from
 * the verified token), the client's address
 * from `x-client-address`, and the subgraph the request is for from `x-gateway-audience`, which
 * binds the signature to that one subgraph. Without both identity headers, the request is signed
 * as anonymous; without an audience it is not sent. Any other `x-user-*` or `x-gateway-*` header
 * is removed. The secret is imported as a key object once, here.
 */
export function createSigningFetcher(inner: Fetcher, secret: EnvelopeSecret): Fetcher {
  const key = envelopeKey(secret);
  return (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    let userId: string | undefined;
    let role: string | undefined;
    let sessionId: string | undefined;
    let tokenVersion: string | undefined;
    let clientAddress: string | undefined;
    let audience: string | undefined;
    for (const [rawName, value] of Object.entries(init.headers ?? {})) {
      const name = rawName.toLowerCase();
      if (name === ENVELOPE_HEADERS.userId) userId = value;
      else if (name === ENVELOPE_HEADERS.role) role = value;
      else if (name === ENVELOPE_HEADERS.sessionId) sessionId = value;
      else if (name === ENVELOPE_HEADERS.tokenVersion) tokenVersion = value;
      else if (name === ENVELOPE_HEADERS.clientAddress) clientAddress = value;
      else if (name === ENVELOPE_HEADERS.audience) audience = value;
      else if (!isEnvelopeHeader(name)) headers[name] = value;
    }
    if (!audience) {
      return Promise.reject(
        new Error(`no ${ENVELOPE_HEADERS.audience} header: the target subgraph is unknown`),
      );
    }
    const identity: Identity | null =
      userId !== undefined && role !== undefined
        ? {
            userId,
            role,
            ...(sessionId === undefined ? {} : { sessionId }),
            ...(tokenVersion === undefined ? {} : { tokenVersion: Number(tokenVersion) }),
          }
        : null;
    Object.assign(
      headers,
      signEnvelope(key, { audience, identity, clientAddress, method, body: init.body ?? '' }),
    );
    return inner(url, { ...init, method, headers });
  };
}

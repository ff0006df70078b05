import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import {
  ENVELOPE_HEADERS,
  envelopeKey,
  signEnvelope,
  type EnvelopeSecret,
  type Identity,
} from './envelope';

/** Headers only the signing layer may set; whatever else put them on a request is dropped. */
function isEnvelopeHeader(name: string): boolean {
  return (
    name.startsWith('x-user-') ||
    name.startsWith('x-gateway-') ||
    name === ENVELOPE_HEADERS.clientAddress
  );
}

/** Who a signed request is for and on whose behalf: typed values, never headers. */
export interface SignedCall {
  /** The subgraph the request is for; the signature is valid at that subgraph only. */
  audience: string;
  /** The caller to forward; anonymous when null or absent. */
  identity?: Identity | null;
  /** The end client's address, when the subgraph should know it. */
  clientAddress?: string;
}

/** Sends one request signed for `call.audience`, carrying `call.identity`. */
export type SigningFetcher = (
  call: SignedCall,
  url: string,
  init?: FetcherRequestInit,
) => Promise<FetcherResponse>;

/**
 * The gateway half of the scheme for the gateway's own calls to subgraphs (readiness probes, the
 * revocation feed, identity links): wraps a `Fetcher` so that each request carries the identity
 * envelope for the subgraph it names, computed over the exact body being sent. Any `x-user-*`,
 * `x-gateway-*` or `x-client-address` header already on the request is removed: identity travels
 * only in `call`. The secret is imported as a key object once, here.
 */
export function createSigningFetcher(inner: Fetcher, secret: EnvelopeSecret): SigningFetcher {
  const key = envelopeKey(secret);
  return (call, url, init = {}) => {
    if (!call.audience) {
      return Promise.reject(new Error('a signed request needs the subgraph it is for'));
    }
    const method = (init.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    for (const [rawName, value] of Object.entries(init.headers ?? {})) {
      const name = rawName.toLowerCase();
      if (!isEnvelopeHeader(name)) headers[name] = value;
    }
    Object.assign(
      headers,
      signEnvelope(key, {
        audience: call.audience,
        identity: call.identity ?? null,
        clientAddress: call.clientAddress,
        method,
        body: init.body ?? '',
      }),
    );
    return inner(url, { ...init, method, headers });
  };
}

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The identity envelope: how the gateway tells a subgraph who is calling, in a form the subgraph
 * can check. The gateway and every subgraph import this one module, so the scheme exists once.
 *
 * The signature is an HMAC-SHA256 over the scheme version, the audience (the name of the subgraph
 * the request is for), the HTTP method, the timestamp, the forwarded identity, the end client's
 * address and a SHA-256 of the exact request body. Changing any of them invalidates it, so a
 * captured request cannot be replayed with another identity or against another subgraph, and it
 * is refused once older than `maxAgeMs`.
 */
export const ENVELOPE_HEADERS = {
  userId: 'x-user-id',
  role: 'x-user-role',
  timestamp: 'x-gateway-timestamp',
  signature: 'x-gateway-signature',
  clientAddress: 'x-client-address',
  /** The subgraph the signature is for; informative, since each subgraph checks its own name. */
  audience: 'x-gateway-audience',
} as const;

const SCHEME = 'fedstack-envelope-v2';

/** The caller as the gateway saw it: the `sub` and `role` claims of a verified access token. */
export interface Identity {
  userId: string;
  role: string;
}

export interface SignInput {
  /** The name of the subgraph the request is sent to, as in the supergraph (e.g. `users`). */
  audience: string;
  identity: Identity | null;
  method: string;
  body: string | Uint8Array;
  /** The end client's IP address as the gateway saw it, for audit logs and throttling. */
  clientAddress?: string;
  /** Milliseconds since the epoch; defaults to now. */
  now?: number;
}

function digest(
  secret: string,
  audience: string,
  method: string,
  timestamp: string,
  identity: Identity | null,
  clientAddress: string,
  body: string | Uint8Array,
): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  const payload = [
    SCHEME,
    audience,
    method.toUpperCase(),
    timestamp,
    identity?.userId ?? '',
    identity?.role ?? '',
    clientAddress,
    bodyHash,
  ].join('\n');
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** Returns the headers that carry `identity` to a subgraph for a request with this body. */
export function signEnvelope(secret: string, input: SignInput): Record<string, string> {
  const timestamp = String(input.now ?? Date.now());
  const headers: Record<string, string> = {
    [ENVELOPE_HEADERS.audience]: input.audience,
    [ENVELOPE_HEADERS.timestamp]: timestamp,
    [ENVELOPE_HEADERS.signature]: digest(
      secret,
      input.audience,
      input.method,
      timestamp,
      input.identity,
      input.clientAddress ?? '',
      input.body,
    ),
  };
  if (input.clientAddress) headers[ENVELOPE_HEADERS.clientAddress] = input.clientAddress;
  if (input.identity) {
    headers[ENVELOPE_HEADERS.userId] = input.identity.userId;
    headers[ENVELOPE_HEADERS.role] = input.identity.role;
  }
  return headers;
}

export interface VerifyInput {
  /** The verifying subgraph's own name: a signature made for another subgraph is refused. */
  audience: string;
  headers: Record<string, string | string[] | undefined>;
  method: string;
  body: string | Uint8Array;
  /** How old a signature may be; default 30 000 ms. */
  maxAgeMs?: number;
  /** How far in the future a timestamp may be, for clock skew; default 5 000 ms. */
  maxSkewMs?: number;
  now?: number;
}

export type VerifyResult =
  | { ok: true; identity: Identity | null; clientAddress: string | undefined }
  | { ok: false; reason: string };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}

/** Checks the envelope on an incoming request; never throws. */
export function verifyEnvelope(secret: string, input: VerifyInput): VerifyResult {
  const signature = single(input.headers[ENVELOPE_HEADERS.signature]);
  const timestamp = single(input.headers[ENVELOPE_HEADERS.timestamp]);
  if (!signature || !timestamp) return { ok: false, reason: 'missing gateway signature' };
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: 'malformed gateway timestamp' };

  const now = input.now ?? Date.now();
  const age = now - Number(timestamp);
  if (age > (input.maxAgeMs ?? 30_000)) return { ok: false, reason: 'gateway signature expired' };
  if (-age > (input.maxSkewMs ?? 5_000))
    return { ok: false, reason: 'gateway timestamp in the future' };

  const userId = single(input.headers[ENVELOPE_HEADERS.userId]);
  const role = single(input.headers[ENVELOPE_HEADERS.role]);
  if ((userId === undefined) !== (role === undefined)) {
    return { ok: false, reason: 'incomplete identity headers' };
  }
  const identity = userId !== undefined && role !== undefined ? { userId, role } : null;

  const audience = single(input.headers[ENVELOPE_HEADERS.audience]);
  if (audience !== undefined && audience !== input.audience) {
    return { ok: false, reason: 'gateway signature is for another subgraph' };
  }

  const clientAddress = single(input.headers[ENVELOPE_HEADERS.clientAddress]);
  const expected = Buffer.from(
    digest(
      secret,
      input.audience,
      input.method,
      timestamp,
      identity,
      clientAddress ?? '',
      input.body,
    ),
  );
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'bad gateway signature' };
  }
  return { ok: true, identity, clientAddress };
}

import { createHmac, createSecretKey, hash, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * The identity envelope: how the gateway tells a subgraph who is calling, in a form the subgraph
 * can check. The gateway and every subgraph import this one module, so the scheme exists once.
 *
 * The signature is an HMAC-SHA256 over the scheme version, the audience (the name of the subgraph
 * the request is for), the HTTP method, the timestamp, the caller (an explicit `anonymous` marker,
 * or `user` followed by the user id, role, session id and token version), the end client's address
 * and a SHA-256 of the exact request body. Changing any of them invalidates it, so a captured
 * request cannot be replayed with another identity or against another subgraph, an anonymous
 * signature never verifies as a user, and it is refused once older than `maxAgeMs`.
 */
export const ENVELOPE_HEADERS = {
  userId: 'x-user-id',
  role: 'x-user-role',
  timestamp: 'x-gateway-timestamp',
  signature: 'x-gateway-signature',
  clientAddress: 'x-client-address',
  /** The subgraph the signature is for; informative, since each subgraph checks its own name. */
  audience: 'x-gateway-audience',
  /** The login session (`sid` claim) the access token belongs to, when it names one. */
  sessionId: 'x-user-session',
  /** The account's token version (`ver` claim) when the token was issued, when it names one. */
  tokenVersion: 'x-user-token-version',
} as const;

const SCHEME = 'fedstack-envelope-v3';

/**
 * The caller as the gateway saw it: the `sub` and `role` claims of a verified access token, and,
 * when the token carries them, its login session (`sid`) and the account's token version (`ver`),
 * with which the users subgraph decides on the account's current state.
 */
export interface Identity {
  userId: string;
  role: string;
  sessionId?: string;
  tokenVersion?: number;
}

/**
 * Identity values travel as header values: printable ASCII, at most 256 characters, never empty
 * and never starting or ending with a space (HTTP trims those, which would break the signature).
 */
const IDENTITY_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/;
const TOKEN_VERSION = /^(0|[1-9]\d{0,9})$/;

/**
 * The caller's part of the signed text: an explicit marker for anonymous, and for a user a JSON
 * array, so that no choice of values can make two different callers read the same.
 */
function callerText(identity: Identity | null): string {
  if (!identity) return 'anonymous';
  return JSON.stringify([
    'user',
    identity.userId,
    identity.role,
    identity.sessionId ?? null,
    identity.tokenVersion ?? null,
  ]);
}

/** Why `identity` cannot be signed or believed, or null when every value is usable. */
function identityProblem(identity: Identity): string | null {
  if (!IDENTITY_VALUE.test(identity.userId)) return 'empty or malformed user id';
  if (!IDENTITY_VALUE.test(identity.role)) return 'empty or malformed role';
  if (identity.sessionId !== undefined && !IDENTITY_VALUE.test(identity.sessionId)) {
    return 'empty or malformed session id';
  }
  if (
    identity.tokenVersion !== undefined &&
    !(Number.isSafeInteger(identity.tokenVersion) && identity.tokenVersion >= 0)
  ) {
    return 'malformed token version';
  }
  return null;
}

/** An identity as checked and written once, with the values it was computed from. */
interface CheckedCaller {
  userId: string;
  role: string;
  sessionId: string | undefined;
  tokenVersion: number | undefined;
  problem: string | null;
  text: string;
}

/**
 * One request's identity is signed for every subgraph call of its plan: its check and its text are
 * kept with the identity object and reused while its values stay the same.
 */
const checkedCallers = new WeakMap<Identity, CheckedCaller>();

function checkedCaller(identity: Identity): CheckedCaller {
  const known = checkedCallers.get(identity);
  if (
    known &&
    known.userId === identity.userId &&
    known.role === identity.role &&
    known.sessionId === identity.sessionId &&
    known.tokenVersion === identity.tokenVersion
  ) {
    return known;
  }
  const checked: CheckedCaller = {
    userId: identity.userId,
    role: identity.role,
    sessionId: identity.sessionId,
    tokenVersion: identity.tokenVersion,
    problem: identityProblem(identity),
    text: callerText(identity),
  };
  checkedCallers.set(identity, checked);
  return checked;
}

/**
 * The caller exactly as the envelope signs it (`anonymous`, or the user's id, role, session and
 * token version), computed once per identity object: two requests with the same text are the
 * same caller, e.g. for sharing an in-flight subgraph answer.
 */
export function callerTextOf(identity: Identity | null | undefined): string {
  return identity ? checkedCaller(identity).text : callerText(null);
}

/**
 * The shared secret as a key object. A string secret is imported once (`createSecretKey`) and kept
 * for as long as the same string is passed; callers that sign often can hold the key themselves.
 */
export type EnvelopeSecret = string | KeyObject;

let lastSecret: string | undefined;
let lastKey: KeyObject | undefined;

/** Imports `secret` (its UTF-8 bytes, as HMAC takes a string) as a key object for signing. */
export function envelopeKey(secret: EnvelopeSecret): KeyObject {
  if (typeof secret !== 'string') return secret;
  if (secret !== lastSecret || !lastKey) {
    lastKey = createSecretKey(Buffer.from(secret, 'utf8'));
    lastSecret = secret;
  }
  return lastKey;
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
  secret: EnvelopeSecret,
  audience: string,
  method: string,
  timestamp: string,
  caller: string,
  clientAddress: string,
  body: string | Uint8Array,
): string {
  const payload = `${SCHEME}\n${audience}\n${method === 'POST' ? method : method.toUpperCase()}\n${timestamp}\n${caller}\n${clientAddress}\n${hash('sha256', body, 'hex')}`;
  return createHmac('sha256', envelopeKey(secret)).update(payload).digest('base64url');
}

/**
 * Returns the headers that carry `identity` to a subgraph for a request with this body. Throws
 * when an identity value is empty or not a printable header value: such a caller cannot be sent.
 */
export function signEnvelope(secret: EnvelopeSecret, input: SignInput): Record<string, string> {
  const caller = input.identity ? checkedCaller(input.identity) : null;
  if (caller?.problem) throw new Error(`cannot sign an identity with an ${caller.problem}`);
  const timestamp = String(input.now ?? Date.now());
  const headers: Record<string, string> = {
    [ENVELOPE_HEADERS.audience]: input.audience,
    [ENVELOPE_HEADERS.timestamp]: timestamp,
    [ENVELOPE_HEADERS.signature]: digest(
      secret,
      input.audience,
      input.method,
      timestamp,
      caller ? caller.text : 'anonymous',
      input.clientAddress ?? '',
      input.body,
    ),
  };
  if (input.clientAddress) headers[ENVELOPE_HEADERS.clientAddress] = input.clientAddress;
  if (input.identity) {
    headers[ENVELOPE_HEADERS.userId] = input.identity.userId;
    headers[ENVELOPE_HEADERS.role] = input.identity.role;
    if (input.identity.sessionId !== undefined) {
      headers[ENVELOPE_HEADERS.sessionId] = input.identity.sessionId;
    }
    if (input.identity.tokenVersion !== undefined) {
      headers[ENVELOPE_HEADERS.tokenVersion] = String(input.identity.tokenVersion);
    }
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
export function verifyEnvelope(secret: EnvelopeSecret, input: VerifyInput): VerifyResult {
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
  const sessionId = single(input.headers[ENVELOPE_HEADERS.sessionId]);
  const tokenVersion = single(input.headers[ENVELOPE_HEADERS.tokenVersion]);
  if ((userId === undefined) !== (role === undefined)) {
    return { ok: false, reason: 'incomplete identity headers' };
  }
  let identity: Identity | null = null;
  if (userId !== undefined && role !== undefined) {
    if (tokenVersion !== undefined && !TOKEN_VERSION.test(tokenVersion)) {
      return { ok: false, reason: 'malformed token version' };
    }
    identity = {
      userId,
      role,
      ...(sessionId === undefined ? {} : { sessionId }),
      ...(tokenVersion === undefined ? {} : { tokenVersion: Number(tokenVersion) }),
    };
    const problem = identityProblem(identity);
    if (problem) return { ok: false, reason: problem };
  } else if (sessionId !== undefined || tokenVersion !== undefined) {
    return { ok: false, reason: 'incomplete identity headers' };
  }

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
      callerText(identity),
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

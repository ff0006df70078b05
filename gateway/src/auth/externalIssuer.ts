import jwt from 'jsonwebtoken';
import type { Logger } from '@fedstack/runtime/logger';
import { AccessTokenError } from './AccessTokenError';
import type { ExternalIssuerSettings, GraphRole } from './issuerSettings';
import { jwksKeySource, type KeySource } from './jwksKeySource';
import { HEADER_SAFE, verifyJwt } from './verifyAccessToken';

/** A caller as an external issuer names them, before they are linked to a local account. */
export interface ExternalCaller {
  issuer: string;
  /** The user id claim (`userIdClaim`), unique within the issuer. */
  subject: string;
  /** The graph role the token's role claim maps to. */
  role: GraphRole;
  /** The token's `iat` in seconds, when it has one: an older token never changes a newer role. */
  issuedAt: number | undefined;
  /** Standard OIDC claims, when present, to name a new local account. */
  hints: { username?: string; email?: string; name?: string };
}

/** Verifies one external issuer's tokens. */
export type ExternalVerifier = (token: string) => Promise<ExternalCaller>;

/** The JWKS algorithms narrowed to the one a JWK is published for, if it names one. */
export function algorithmsFor(
  pinned: readonly jwt.Algorithm[],
  jwkAlg: string | undefined,
): jwt.Algorithm[] {
  return jwkAlg === undefined ? [...pinned] : pinned.filter((alg) => alg === jwkAlg);
}

/** The value at `path` in `claims`, or undefined. */
export function claimAt(claims: unknown, path: readonly string[]): unknown {
  let value = claims;
  for (const step of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/**
 * The graph role of a role claim: a string is looked up in the role map; for a list, the first
 * entry of the role map (in the file's order) whose identity provider role the list holds wins,
 * so the order of the map, not the token's, decides. Nothing mapped gives the default role, or
 * null when there is none.
 */
export function mappedRole(
  claim: unknown,
  settings: Pick<ExternalIssuerSettings, 'roleMap' | 'defaultRole'>,
): GraphRole | null {
  const held = new Set(
    (Array.isArray(claim) ? claim : [claim]).filter((v): v is string => typeof v === 'string'),
  );
  for (const [from, to] of settings.roleMap) if (held.has(from)) return to;
  return settings.defaultRole ?? null;
}

function hintOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 254 ? value : undefined;
}

interface DiscoveryDocument {
  issuer: string;
  jwks_uri: string;
}

async function discover(settings: ExternalIssuerSettings, url: string): Promise<string> {
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(settings.timeoutMs),
  });
  if (!response.ok) throw new Error(`discovery answered HTTP ${response.status}`);
  const document = (await response.json()) as Partial<DiscoveryDocument> | null;
  if (document?.issuer !== settings.issuer) {
    throw new Error(
      `the discovery document names issuer ${JSON.stringify(document?.issuer ?? null)}, not the configured one`,
    );
  }
  const jwksUri = document.jwks_uri;
  if (typeof jwksUri !== 'string' || !/^https?:\/\//.test(jwksUri)) {
    throw new Error('the discovery document has no usable jwks_uri');
  }
  return jwksUri;
}

/**
 * Verifies tokens of one external issuer with its own pinned settings. With `discoveryUrl`, the
 * discovery document is fetched on the first token (the gateway starts while the identity
 * provider is away) and kept; a failed discovery, or a JWKS that cannot be fetched, makes the next
 * token fetch it again. Keys come from the JWKS through jwks-rsa, cached `keyCacheMaxAgeMs` and
 * fetched at most `jwksRequestsPerMinute` times a minute for unknown `kid`s.
 */
export function externalVerifier(
  settings: ExternalIssuerSettings,
  logger?: Logger,
): ExternalVerifier {
  const keySourceAt = (url: string): KeySource =>
    jwksKeySource(
      {
        url,
        cacheMaxAgeMs: settings.keyCacheMaxAgeMs,
        requestsPerMinute: settings.jwksRequestsPerMinute,
        timeoutMs: settings.timeoutMs,
      },
      logger,
    );
  let keys: Promise<KeySource> | undefined =
    settings.jwksUrl === undefined ? undefined : Promise.resolve(keySourceAt(settings.jwksUrl));

  const keySource = (): Promise<KeySource> => {
    const discoveryUrl = settings.discoveryUrl as string;
    keys ??= discover(settings, discoveryUrl).then(keySourceAt, (error: unknown) => {
      keys = undefined;
      logger?.warn(
        { err: error, issuer: settings.issuer, discoveryUrl },
        'OIDC discovery failed; tokens of this issuer are refused until it answers',
      );
      throw new AccessTokenError(
        'keys_unavailable',
        `discovery of ${settings.issuer} failed: ${(error as Error).message}`,
      );
    });
    return keys;
  };

  return async (token) => {
    const source = await keySource();
    let found: Awaited<ReturnType<KeySource>>;
    try {
      found = await source(token);
    } catch (error) {
      // The keys may have moved: discover again on the next token.
      if (
        error instanceof AccessTokenError &&
        error.reason === 'keys_unavailable' &&
        settings.discoveryUrl !== undefined
      ) {
        keys = undefined;
      }
      throw error;
    }
    const { header, payload } = verifyJwt(token, {
      publicKey: found.key,
      algorithms: algorithmsFor(settings.algorithms, found.alg),
      issuer: settings.issuer,
      audience: settings.audience,
      clockToleranceSeconds: settings.clockToleranceSeconds,
    });
    if (settings.headerTypes.length > 0) {
      const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : undefined;
      if (typ === undefined || !settings.headerTypes.includes(typ)) {
        throw new AccessTokenError(
          'type',
          `token typ ${JSON.stringify(header.typ ?? null)} is not one of ${settings.headerTypes.join(', ')}`,
        );
      }
    }
    if (settings.payloadType !== undefined && payload.typ !== settings.payloadType) {
      throw new AccessTokenError(
        'type',
        `token payload typ ${JSON.stringify(payload.typ ?? null)} is not "${settings.payloadType}"`,
      );
    }
    const subject = claimAt(payload, settings.userIdClaim);
    if (typeof subject !== 'string' || !HEADER_SAFE.test(subject)) {
      throw new AccessTokenError('claims', `token has no usable ${settings.userIdClaim.join('.')}`);
    }
    const role = mappedRole(
      settings.roleClaim === undefined ? undefined : claimAt(payload, settings.roleClaim),
      settings,
    );
    if (role === null) {
      throw new AccessTokenError('claims', 'token has no role that maps to a role of this graph');
    }
    const username = hintOf(payload.preferred_username) ?? hintOf(payload.nickname);
    const email = payload.email_verified === false ? undefined : hintOf(payload.email);
    const name = hintOf(payload.name);
    return {
      issuer: settings.issuer,
      subject,
      role,
      issuedAt: typeof payload.iat === 'number' ? payload.iat : undefined,
      hints: {
        ...(username === undefined ? {} : { username }),
        ...(email === undefined ? {} : { email }),
        ...(name === undefined ? {} : { name }),
      },
    };
  };
}

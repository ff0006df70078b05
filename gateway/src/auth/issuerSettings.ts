import { readFileSync } from 'node:fs';
import { ConfigError } from '@fedstack/runtime/config';

/** The asymmetric JWS algorithms the gateway can verify with a public key. */
export const SUPPORTED_JWT_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
] as const;

export type JwtAlgorithm = (typeof SUPPORTED_JWT_ALGORITHMS)[number];

/** The roles of this graph an identity provider's roles map to. */
export type GraphRole = 'ADMIN' | 'USER';

/** One external OpenID Connect issuer whose access tokens the gateway accepts. */
export interface ExternalIssuerSettings {
  /** The exact `iss` of its tokens; tokens are routed to this issuer by it. */
  issuer: string;
  /** Its `.well-known/openid-configuration`, whose `jwks_uri` gives the keys. */
  discoveryUrl: string | undefined;
  /** Its JWKS, when there is no discovery document. */
  jwksUrl: string | undefined;
  /** The token's `aud` must hold one of these. */
  audience: string[];
  /** Pinned, asymmetric only. */
  algorithms: JwtAlgorithm[];
  /** Header `typ` values accepted, lower-cased; empty accepts any (or none). */
  headerTypes: string[];
  /** A payload `typ` the token must carry (Keycloak's `Bearer`); undefined: not checked. */
  payloadType: string | undefined;
  /** Path of the claim naming the user; `sub` by default. */
  userIdClaim: string[];
  /** Path of the claim holding the role(s); undefined: every user gets `defaultRole`. */
  roleClaim: string[] | undefined;
  /** Identity provider role -> graph role, in the order of preference. */
  roleMap: Array<[string, GraphRole]>;
  /** The role of a token whose role claim maps to nothing; undefined refuses such a token. */
  defaultRole: GraphRole | undefined;
  clockToleranceSeconds: number;
  keyCacheMaxAgeMs: number;
  jwksRequestsPerMinute: number;
  /** How long one discovery or JWKS fetch may take. */
  timeoutMs: number;
}

type Raw = Record<string, unknown>;

const KNOWN_FIELDS = new Set([
  'issuer',
  'discoveryUrl',
  'jwksUrl',
  'audience',
  'algorithms',
  'headerTypes',
  'payloadType',
  'userIdClaim',
  'roleClaim',
  'roles',
  'defaultRole',
  'clockToleranceSeconds',
  'keyCacheMaxAgeMs',
  'jwksRequestsPerMinute',
  'timeoutMs',
]);

/**
 * A claim path: dots separate the steps (`realm_access.roles`), except for a claim name that is a
 * URL (Auth0's namespaced `https://example.com/roles`), which is one step.
 */
export function claimPath(path: string): string[] {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return [path];
  return path.split('.');
}

/** `value` as an http: or https: URL; undefined for anything else. */
export function httpUrlOf(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function readIssuer(raw: unknown, index: number, builtinIssuer: string | undefined) {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`JWT_ISSUERS_FILE: issuer #${index + 1} must be an object`);
  }
  const entry = raw as Raw;
  const name =
    typeof entry.issuer === 'string' && entry.issuer !== '' ? `"${entry.issuer}"` : `#${index + 1}`;
  const fail = (field: string, problem: string): never => {
    throw new ConfigError(`JWT_ISSUERS_FILE: issuer ${name}: ${field} ${problem}`);
  };
  for (const field of Object.keys(entry)) {
    if (!KNOWN_FIELDS.has(field)) fail(field, 'is not a known setting');
  }
  const text = (field: string, required: boolean): string | undefined => {
    const value = entry[field];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value.trim() === '') fail(field, 'must be a non-empty string');
    return value as string;
  };
  const list = (field: string): string[] | undefined => {
    const value = entry[field];
    if (value === undefined) return undefined;
    const values = typeof value === 'string' ? [value] : value;
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      !values.every((item) => typeof item === 'string' && item !== '')
    ) {
      fail(field, 'must be a non-empty string or a non-empty list of strings');
    }
    return values as string[];
  };
  const int = (field: string, fallback: number, min: number, max: number): number => {
    const value = entry[field] ?? fallback;
    if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
      fail(field, `must be a whole number from ${min} to ${max}`);
    }
    return value as number;
  };
  const role = (field: string, value: unknown): GraphRole => {
    if (value !== 'ADMIN' && value !== 'USER') fail(field, 'must be ADMIN or USER');
    return value as GraphRole;
  };

  const issuer = text('issuer', true) as string;
  if (issuer === builtinIssuer) {
    fail('issuer', 'is the built-in issuer (JWT_ISSUER); an external issuer needs its own');
  }
  const discoveryUrl = text('discoveryUrl', false);
  const jwksUrl = text('jwksUrl', false);
  if ((discoveryUrl === undefined) === (jwksUrl === undefined)) {
    fail('discoveryUrl', 'or jwksUrl must be set, and not both');
  }
  if (discoveryUrl !== undefined && !httpUrlOf(discoveryUrl)) fail('discoveryUrl', 'must be a URL');
  if (jwksUrl !== undefined && !httpUrlOf(jwksUrl)) fail('jwksUrl', 'must be a URL');
  const audience = list('audience') ?? fail('audience', 'must be set');
  const algorithms = list('algorithms') ?? fail('algorithms', 'must be set');
  for (const algorithm of algorithms) {
    if (!(SUPPORTED_JWT_ALGORITHMS as readonly string[]).includes(algorithm)) {
      fail(
        'algorithms',
        `must name asymmetric algorithms (${SUPPORTED_JWT_ALGORITHMS.join(', ')}), got "${algorithm}"`,
      );
    }
  }
  const roles = entry.roles ?? {};
  if (typeof roles !== 'object' || roles === null || Array.isArray(roles)) {
    fail('roles', 'must map identity provider roles to ADMIN or USER');
  }
  const roleMap = Object.entries(roles as Raw).map(([from, to]): [string, GraphRole] => [
    from,
    role(`roles.${from}`, to),
  ]);
  const roleClaim = text('roleClaim', false);
  if (roleClaim !== undefined && roleMap.length === 0) fail('roles', 'must be set with roleClaim');
  const defaultRole =
    entry.defaultRole === undefined ? undefined : role('defaultRole', entry.defaultRole);
  if (roleClaim === undefined && defaultRole === undefined) {
    fail('roleClaim', 'or defaultRole must be set');
  }
  return {
    issuer,
    discoveryUrl,
    jwksUrl,
    audience,
    algorithms: algorithms as JwtAlgorithm[],
    headerTypes: (list('headerTypes') ?? ['at+jwt', 'application/at+jwt']).map((typ) =>
      typ.toLowerCase(),
    ),
    payloadType: text('payloadType', false),
    userIdClaim: claimPath(text('userIdClaim', false) ?? 'sub'),
    roleClaim: roleClaim === undefined ? undefined : claimPath(roleClaim),
    roleMap,
    defaultRole,
    clockToleranceSeconds: int('clockToleranceSeconds', 5, 0, 300),
    keyCacheMaxAgeMs: int('keyCacheMaxAgeMs', 600_000, 1000, 86_400_000),
    jwksRequestsPerMinute: int('jwksRequestsPerMinute', 10, 1, 1000),
    timeoutMs: int('timeoutMs', 5000, 100, 60_000),
  } satisfies ExternalIssuerSettings;
}

/**
 * The external issuers of `JWT_ISSUERS_FILE`: a JSON file holding `{ "issuers": [...] }` (or the
 * list alone). Throws a `ConfigError` naming the issuer and the setting for anything wrong.
 */
export function readIssuersFile(
  file: string,
  builtinIssuer: string | undefined,
): ExternalIssuerSettings[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `JWT_ISSUERS_FILE "${file}" cannot be read as JSON: ${(error as Error).message}`,
    );
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as Raw | null)?.issuers;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError(`JWT_ISSUERS_FILE "${file}" must hold a non-empty "issuers" list`);
  }
  const issuers = list.map((raw, index) => readIssuer(raw, index, builtinIssuer));
  const seen = new Set<string>();
  for (const { issuer } of issuers) {
    if (seen.has(issuer)) {
      throw new ConfigError(`JWT_ISSUERS_FILE: issuer "${issuer}": issuer is listed twice`);
    }
    seen.add(issuer);
  }
  return issuers;
}

import type { IncomingMessage } from 'node:http';

/** The methods a preflight allows: the `cors` package's default. */
const ALLOWED_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';
const EXPOSED_HEADERS = 'x-request-id';
/** How long a browser may cache a preflight's answer, in seconds. */
const MAX_AGE = '600';

/** What CORS adds to one response; `preflight` when the request is a preflight to answer 204. */
export interface CorsAnswer {
  preflight: boolean;
  headers: Readonly<Record<string, string>>;
}

const ANY_ORIGIN: CorsAnswer = {
  preflight: false,
  headers: Object.freeze({
    'access-control-allow-origin': '*',
    'access-control-expose-headers': EXPOSED_HEADERS,
  }),
};

/** A preflight's headers, as the `cors` package answers: request headers reflected. */
function preflightHeaders(
  req: IncomingMessage,
  origin: string | undefined,
  vary: string,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (origin !== undefined) headers['access-control-allow-origin'] = origin;
  headers['access-control-allow-methods'] = ALLOWED_METHODS;
  const requested = req.headers['access-control-request-headers'];
  if (requested) headers['access-control-allow-headers'] = requested;
  headers.vary = vary;
  headers['access-control-max-age'] = MAX_AGE;
  headers['access-control-expose-headers'] = EXPOSED_HEADERS;
  return headers;
}

/**
 * Returns the function that answers CORS for one `/graphql` request, with the headers the `cors`
 * package gave for `{ origin, exposedHeaders: ['x-request-id'], maxAge: 600 }`: `'*'` allows any
 * origin (and never varies by it); a list allows exactly those origins, echoing the one that
 * asked, and varies by `Origin`; an empty list means no CORS at all (undefined: a preflight is
 * then an ordinary request, which Apollo Server refuses with 405). Every `OPTIONS` request is a
 * preflight, answered 204 with no body.
 */
export function corsHeaders(
  origins: '*' | readonly string[],
): ((req: IncomingMessage) => CorsAnswer) | undefined {
  if (origins === '*') {
    return (req) =>
      req.method === 'OPTIONS'
        ? { preflight: true, headers: preflightHeaders(req, '*', 'Access-Control-Request-Headers') }
        : ANY_ORIGIN;
  }
  if (origins.length === 0) return undefined;
  const allowed = new Set(origins);
  return (req) => {
    const origin = req.headers.origin;
    const echoed = origin !== undefined && allowed.has(origin) ? origin : undefined;
    if (req.method === 'OPTIONS') {
      return {
        preflight: true,
        headers: preflightHeaders(req, echoed, 'Origin, Access-Control-Request-Headers'),
      };
    }
    const headers: Record<string, string> = { vary: 'Origin' };
    if (echoed !== undefined) headers['access-control-allow-origin'] = echoed;
    headers['access-control-expose-headers'] = EXPOSED_HEADERS;
    return { preflight: false, headers };
  };
}

/** Where Apollo Sandbox (the development landing page) loads its code, styles and frame from. */
const APOLLO_CDNS = [
  'https://apollo-server-landing-page.cdn.apollographql.com',
  'https://embeddable-sandbox.cdn.apollographql.com',
  'https://embeddable-explorer.cdn.apollographql.com',
];
const APOLLO_FRAMES = [
  'https://sandbox.embed.apollographql.com',
  'https://explorer.embed.apollographql.com',
];

/** A Content-Security-Policy value: `directive source source;directive ...`. */
function policy(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join(';');
}

/** The headers helmet sets by default, apart from the CSP and HSTS, which differ by mode. */
const COMMON: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

const PRODUCTION: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': policy({
    'default-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  }),
  ...COMMON,
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
});

const DEVELOPMENT: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': policy({
    'default-src': ["'self'"],
    'base-uri': ["'self'"],
    'script-src': ["'self'", "'unsafe-inline'", ...APOLLO_CDNS],
    'style-src': ["'self'", "'unsafe-inline'", ...APOLLO_CDNS, 'https://fonts.googleapis.com'],
    'font-src': ["'self'", 'https://fonts.gstatic.com', 'data:'],
    'img-src': ["'self'", 'data:', ...APOLLO_CDNS],
    'manifest-src': ["'self'", ...APOLLO_CDNS],
    'frame-src': APOLLO_FRAMES,
    'connect-src': ["'self'", ...APOLLO_CDNS],
    'object-src': ["'none'"],
    'frame-ancestors': ["'self'"],
  }),
  ...COMMON,
});

/**
 * The security headers of every gateway response, computed once: helmet's defaults, with a CSP
 * that in production allows nothing at all (the gateway serves only JSON) and in development
 * what the Sandbox page needs. The page also sends its own nonce-based CSP, and a browser
 * enforces both, so inline code still needs that nonce. The offline explorer at `/explorer` sends
 * its own CSP instead, which names no other host (see `explorerResponder`). Development sends no
 * HSTS: plain http on localhost, where a remembered policy would break other local projects.
 */
export function securityHeaders(production: boolean): Readonly<Record<string, string>> {
  return production ? PRODUCTION : DEVELOPMENT;
}

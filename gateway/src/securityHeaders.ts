import type { HelmetOptions } from 'helmet';

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

/**
 * helmet's settings. In production the gateway serves only JSON, so the CSP allows nothing at
 * all. In development it allows what the Sandbox page needs; the page also sends its own
 * nonce-based CSP, and a browser enforces both, so inline code still needs that nonce.
 */
export function securityHeaders(production: boolean): HelmetOptions {
  if (production) {
    return {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'none'"],
          frameAncestors: ["'none'"],
        },
      },
    };
  }
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'", ...APOLLO_CDNS],
        styleSrc: ["'self'", "'unsafe-inline'", ...APOLLO_CDNS, 'https://fonts.googleapis.com'],
        fontSrc: ["'self'", 'https://fonts.gstatic.com', 'data:'],
        imgSrc: ["'self'", 'data:', ...APOLLO_CDNS],
        manifestSrc: ["'self'", ...APOLLO_CDNS],
        frameSrc: APOLLO_FRAMES,
        connectSrc: ["'self'", ...APOLLO_CDNS],
        objectSrc: ["'none'"],
        frameAncestors: ["'self'"],
      },
    },
    // Plain http on localhost: a remembered HSTS policy would break other local projects.
    strictTransportSecurity: false,
  };
}

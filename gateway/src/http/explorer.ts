import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';

/** Where the explorer lives; `GET /` in development redirects here. */
export const EXPLORER_PATH = '/explorer';

/**
 * The explorer's own CSP: everything from this gateway and nothing from anywhere else, so that the
 * page works, and can only work, without a network. Styles allow inline ones because GraphiQL's
 * editors set style attributes; scripts do not.
 */
const EXPLORER_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join(';');

/** The package files the page loads, by the name it loads them under. */
const PACKAGE_FILES: ReadonlyArray<{ pkg: string; file: string; type: string }> = [
  { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
];

/** The example tabs: sign in as a seeded account, then a query across every subgraph. */
const LOGIN = `# Sign in as a seeded development account,
# then paste accessToken into MyGraph's Headers.
mutation Login {
  login(username: "alice", password: "alice-password") {
    accessToken
    refreshToken
    expiresIn
  }
}
`;
const MY_GRAPH = `# One query across users, orders and suppliers.
# Headers below: the accessToken from Login.
query MyGraph {
  me {
    username
    orders {
      item
      supplier {
        name
      }
    }
    suppliers {
      name
    }
  }
}
`;
const BEARER_HEADERS = `{
  "Authorization": "Bearer <accessToken>"
}`;

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** A package's directory, found through its package.json (the files themselves are not exported). */
function packageDir(pkg: string): string {
  return dirname(require.resolve(`${pkg}/package.json`));
}

function versionOf(pkg: string): string {
  const manifest = JSON.parse(readFileSync(join(packageDir(pkg), 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

function asset(body: Buffer | string, type: string): Asset {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;
  return { body: bytes, type: `${type}; charset=utf-8`, etag };
}

/** The explorer's HTML, its start-up script and the package files, under versioned names. */
function buildAssets(graphqlPath: string): { page: Asset; files: Map<string, Asset> } {
  const files = new Map<string, Asset>();
  const urls: string[] = [];
  for (const { pkg, file, type } of PACKAGE_FILES) {
    // The version in the name lets the browser keep the file for good.
    const name = `${pkg}-${versionOf(pkg)}-${file.split('/').pop()}`;
    files.set(name, asset(readFileSync(join(packageDir(pkg), file)), type));
    urls.push(`${EXPLORER_PATH}/assets/${name}`);
  }
  const settings = {
    graphqlPath,
    tabs: [
      { query: LOGIN, headers: '{}' },
      { query: MY_GRAPH, headers: BEARER_HEADERS },
    ],
  };
  const start = `'use strict';
(function () {
  var settings = ${JSON.stringify(settings)};
  var fetcher = GraphiQL.createFetcher({ url: new URL(settings.graphqlPath, location.href).href });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: settings.tabs,
      defaultEditorToolsVisibility: 'headers',
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
})();
`;
  const startAsset = asset(start, 'text/javascript');
  const startName = `start-${startAsset.etag.slice(1, 13)}.js`;
  files.set(startName, startAsset);
  const scripts = [
    ...urls.filter((url) => url.endsWith('.js')),
    `${EXPLORER_PATH}/assets/${startName}`,
  ];
  const styles = urls.filter((url) => url.endsWith('.css'));
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fedstack explorer</title>
${styles.map((url) => `<link rel="stylesheet" href="${url}">`).join('\n')}
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
${scripts.map((url) => `<script src="${url}"></script>`).join('\n')}
</body>
</html>
`;
  return { page: asset(html, 'text/html'), files };
}

/**
 * The offline explorer of development: GraphiQL, React and ReactDOM served from the gateway's own
 * dependencies at `/explorer`, with no CDN. The page answers `no-cache` (revalidated by ETag); the
 * files have versioned names and are cached for a year. The files are read on the first request.
 * Returns whether it answered `path`.
 */
export function explorerResponder(
  graphqlPath = '/graphql',
): (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  headers: Record<string, string>,
) => boolean {
  let assets: ReturnType<typeof buildAssets> | undefined;
  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    file: Asset,
    headers: Record<string, string>,
    cacheControl: string,
  ) => {
    const common = {
      ...headers,
      'content-security-policy': EXPLORER_CSP,
      'cache-control': cacheControl,
      etag: file.etag,
    };
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, common);
      res.end();
      return;
    }
    res.writeHead(200, {
      ...common,
      'content-type': file.type,
      'content-length': file.body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };
  return (req, res, path, headers) => {
    if (path !== EXPLORER_PATH && !path.startsWith(`${EXPLORER_PATH}/`)) return false;
    assets ??= buildAssets(graphqlPath);
    if (path === EXPLORER_PATH || path === `${EXPLORER_PATH}/`) {
      send(req, res, assets.page, headers, 'no-cache');
      return true;
    }
    const prefix = `${EXPLORER_PATH}/assets/`;
    const file = path.startsWith(prefix) ? assets.files.get(path.slice(prefix.length)) : undefined;
    if (!file) return false;
    send(req, res, file, headers, 'public, max-age=31536000, immutable');
    return true;
  };
}

import type { ServerResponse } from 'node:http';

/** The content type of every JSON answer, as Apollo Server and Express write it. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Answers `status` with `body` as JSON, `headers` included, in one write and no ETag. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

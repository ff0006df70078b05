import type { IncomingMessage } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { HttpRequestError } from './HttpRequestError';
import { ErrorCode } from '../errors';

const DECODERS: Record<string, (() => NodeJS.ReadWriteStream) | undefined> = {
  gzip: createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** Whether the request declares a body (a length or a transfer encoding), as body parsers ask. */
function hasBody(req: IncomingMessage): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined
  );
}

/** The media type of a Content-Type header, lower case, without parameters. */
function mediaType(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** The charset parameter of a Content-Type header, lower case, or undefined. */
function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

function tooLarge(limitBytes: number): HttpRequestError {
  return new HttpRequestError(
    413,
    ErrorCode.PAYLOAD_TOO_LARGE,
    `Request body is larger than the limit of ${limitBytes} bytes`,
  );
}

/**
 * Reads `stream` to its end, failing with 413 past `limitBytes` (decoded bytes); `stop` runs once
 * on failure.
 */
function readBytes(
  req: IncomingMessage,
  stream: Readable | NodeJS.ReadWriteStream,
  limitBytes: number,
  stop: () => void,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const fail = (error: HttpRequestError) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      stop();
      reject(error);
    };
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      length += chunk.length;
      if (length > limitBytes) fail(tooLarge(limitBytes));
      else chunks.push(chunk);
    });
    stream.once('error', () =>
      fail(new HttpRequestError(400, ErrorCode.BAD_REQUEST, 'Request cannot be read')),
    );
    // A client that goes away mid-body ends the wait (a decoder would not see it).
    req.once('close', () => {
      if (!req.complete)
        fail(new HttpRequestError(400, ErrorCode.BAD_REQUEST, 'Request cannot be read'));
    });
    stream.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
    });
  });
}

/** A JSON request body: what it parses to, and the exact bytes it was read from. */
export interface JsonBody {
  body: unknown;
  /** The body's bytes as they came, after content decoding (what a signature covers). */
  raw: Buffer;
}

/**
 * The request body's bytes: gzip/deflate/br decoded, at most `limitBytes` after decoding (HTTP
 * 413, checked against a declared length before anything is read). Throws `HttpRequestError` for
 * what it refuses. The rest of a refused body is drained by Node once the answer is sent.
 */
export function readBodyBytes(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') {
    const declared = Number(req.headers['content-length']);
    if (declared > limitBytes) return Promise.reject(tooLarge(limitBytes));
    return readBytes(req, req, limitBytes, () => {});
  }
  const decoder = DECODERS[encoding];
  if (!decoder) {
    return Promise.reject(
      new HttpRequestError(
        415,
        ErrorCode.BAD_REQUEST,
        `Unsupported content encoding "${encoding}"`,
      ),
    );
  }
  const decoding = decoder();
  // A decoder stops decoding once the limit is passed; the raw body is still drained.
  return readBytes(req, req.pipe(decoding), limitBytes, () => {
    req.unpipe(decoding as NodeJS.WritableStream);
    (decoding as unknown as Readable).destroy();
    req.resume();
  });
}

/**
 * The request's JSON body, as `express.json()` read it: only for `application/json` (else
 * `undefined`, which Apollo Server answers itself), UTF-8, gzip/deflate/br decoded, at most
 * `limitBytes` after decoding (HTTP 413), an object or array at the top (else HTTP 400); an
 * empty body is `{}`. Throws `HttpRequestError` for what it refuses. The rest of a refused body
 * is drained by Node once the answer is sent, so the connection stays usable.
 */
export async function readJsonBody(
  req: IncomingMessage,
  limitBytes: number,
): Promise<JsonBody | undefined> {
  const contentType = req.headers['content-type'];
  if (contentType === undefined || !hasBody(req) || mediaType(contentType) !== 'application/json') {
    return undefined;
  }
  const charset = charsetOf(contentType) ?? 'utf-8';
  if (charset !== 'utf-8' && charset !== 'utf8') {
    throw new HttpRequestError(
      415,
      ErrorCode.BAD_REQUEST,
      `Unsupported charset "${charset.toUpperCase()}"`,
    );
  }
  const raw = await readBodyBytes(req, limitBytes);
  if (raw.length === 0) return { body: {}, raw };
  const text = raw.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new HttpRequestError(
      400,
      ErrorCode.BAD_REQUEST,
      'Request body is not valid JSON',
      (error as Error).message,
    );
  }
  if (typeof body !== 'object' || body === null) {
    throw new HttpRequestError(
      400,
      ErrorCode.BAD_REQUEST,
      'Request body is not valid JSON',
      'Invalid JSON: the body must be an object or an array',
    );
  }
  return { body, raw };
}

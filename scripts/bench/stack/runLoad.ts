import { Pool } from 'undici';

/** One request of a load: the JSON body and the headers to send with it. */
export interface LoadRequest {
  body: string;
  headers: Record<string, string>;
}

/** What one timed load measured. */
export interface LoadResult {
  requests: number;
  /** Responses that were not a 200 with the expected data. */
  failures: number;
  /** The first failed response, for the report. */
  firstFailure?: string;
  /** Milliseconds per request, in completion order. */
  latencies: number[];
  seconds: number;
}

/**
 * Keeps `connections` requests in flight against `url` for `seconds`: each connection sends
 * `next(n)` (n counts every request sent), waits for the whole answer, checks it with `check`,
 * and sends the next. Requests go over keep-alive connections of one undici pool.
 */
export async function runLoad(options: {
  url: string;
  connections: number;
  seconds: number;
  next: (n: number) => LoadRequest;
  check: (status: number, text: string) => boolean;
}): Promise<LoadResult> {
  const target = new URL(options.url);
  const pool = new Pool(target.origin, { connections: options.connections });
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let sent = 0;
  const end = performance.now() + options.seconds * 1000;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (performance.now() < end) {
          const request = options.next(sent);
          sent += 1;
          const t0 = performance.now();
          let ok = false;
          let text: string;
          let status = 0;
          try {
            const response = await pool.request({
              path: target.pathname,
              method: 'POST',
              headers: { 'content-type': 'application/json', ...request.headers },
              body: request.body,
            });
            status = response.statusCode;
            text = await response.body.text();
            ok = options.check(status, text);
          } catch (error) {
            text = (error as Error).message;
          }
          latencies.push(performance.now() - t0);
          if (!ok) {
            failures += 1;
            firstFailure ??= `${status} ${text.slice(0, 300)}`;
          }
        }
      }),
    );
  } finally {
    await pool.close();
  }
  return {
    requests: latencies.length,
    failures,
    ...(firstFailure === undefined ? {} : { firstFailure }),
    latencies,
    seconds: (performance.now() - started) / 1000,
  };
}

/** What a service's start function hands back: its bound port and how to stop it. */
export interface RunningService {
  /** The port the service listens on, as bound (never 0). */
  port: number;
  /** Stops accepting, lets in-flight requests finish, and closes everything the service opened. */
  stop(): Promise<void>;
}

/** The message a service sends its supervisor (over the IPC channel, when it has one) once ready. */
export interface ReadyMessage {
  type: 'ready';
  service: string;
  pid: number;
  port: number;
}

/**
 * The shape of every service's `main.ts`, and the one owner of its signals: start, then on SIGTERM
 * or SIGINT (also while still starting) stop cleanly, print `<name>: stopped` and exit 0. A failed
 * start prints one line naming the problem and exits 1.
 *
 * Run by a supervisor with an IPC channel (`npm start`), the service reports a `ReadyMessage`
 * once it listens, so that readiness is the word of this very process and not of whatever answers
 * on its port; and it stops itself when the channel closes (the supervisor is gone).
 */
export function runService(name: string, start: () => Promise<RunningService>): void {
  const started = start();
  let stopping = false;
  const shutdown = (reason: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${name}: ${reason}, draining\n`);
    started.then(
      (service) =>
        service.stop().then(
          () => {
            process.stderr.write(`${name}: stopped\n`);
            process.exit(0);
          },
          (error: unknown) => {
            process.stderr.write(`${name}: failed to stop cleanly: ${messageOf(error)}\n`);
            process.exit(1);
          },
        ),
      // A start that fails is reported below.
      () => undefined,
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM received'));
  process.on('SIGINT', () => shutdown('SIGINT received'));
  if (process.send)
    process.once('disconnect', () => {
      // The supervisor was reading this process's output: writes now fail with EPIPE, which must
      // not cut the drain short.
      for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
      shutdown('supervisor gone');
    });

  started.then(
    (service) => {
      if (stopping || !process.send) return;
      const ready: ReadyMessage = {
        type: 'ready',
        service: name,
        pid: process.pid,
        port: service.port,
      };
      process.send(ready);
    },
    (error: unknown) => {
      process.stderr.write(`${name}: failed to start: ${oneLine(startErrorOf(error))}\n`);
      process.exit(1);
    },
  );
}

/** Whether `message`, received from a child process, is its `ReadyMessage`. */
export function isReadyMessage(message: unknown): message is ReadyMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'ready' &&
    typeof (message as { port?: unknown }).port === 'number'
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Listen failures say which port and why, in words; anything else keeps its own message. */
function startErrorOf(error: unknown): string {
  const { code, syscall, port } = (error ?? {}) as {
    code?: string;
    syscall?: string;
    port?: number;
  };
  // A `node:cluster` worker's listen fails in the primary's bind, reported as `bind`.
  const listening = syscall === 'listen' || syscall === 'bind';
  if (listening && code === 'EADDRINUSE')
    return `port ${port} is already in use by another program`;
  if (listening && code === 'EACCES') return `port ${port} may not be bound by this user (EACCES)`;
  return messageOf(error);
}

/**
 * A multi-line error message (GraphQL's, with code frames) as one line: its text lines joined,
 * without the source excerpts.
 */
export function oneLine(message: string): string {
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter(
      (line) =>
        line !== '' && !/^(\d+\s*)?\|/.test(line) && !/^GraphQL request:\d+:\d+$/.test(line),
    )
    .join(' ');
}

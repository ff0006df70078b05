/**
 * The shape of every service's `main.ts`: start, then stop cleanly on SIGTERM or SIGINT and exit
 * 0; a failed start prints one line naming the problem and exits 1.
 */
export function runService(name: string, start: () => Promise<{ stop(): Promise<void> }>): void {
  start()
    .then((service) => {
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`${name}: ${signal} received, draining\n`);
        service.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`${name}: failed to stop cleanly: ${(error as Error).message}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    })
    .catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${name}: failed to start: ${oneLine(message)}\n`);
      process.exit(1);
    });
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

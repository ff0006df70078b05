import { createLogger, type Logger } from '@fedstack/kit';

/**
 * The logger of a command-line script (migrate, seed, `npm start`'s preparation), at level info:
 * readable lines at a terminal, JSON lines like the services' own when stdout is a pipe or a file.
 */
export function scriptLogger(service: string): Logger {
  return createLogger({
    service,
    level: 'info',
    format: process.stdout.isTTY ? 'pretty' : 'json',
  });
}

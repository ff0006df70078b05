import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * A pino logger named after the service; `pretty` is for humans at a terminal, JSON otherwise.
 * JSON lines go to standard output unless `destination` is given (tests collect them).
 */
export function createLogger(options: {
  service: string;
  level: string;
  format: 'json' | 'pretty';
  destination?: pino.DestinationStream;
}): Logger {
  const settings: pino.LoggerOptions = {
    name: options.service,
    level: options.level,
    base: { service: options.service },
    redact: {
      paths: [
        'password',
        '*.password',
        'refreshToken',
        '*.refreshToken',
        'accessToken',
        '*.accessToken',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
    ...(options.format === 'pretty'
      ? {
          transport: {
            target: 'pino-pretty',
            options: {
              colorize: true,
              ignore: 'pid,hostname,service',
              translateTime: 'SYS:HH:MM:ss',
            },
          },
        }
      : {}),
  };
  return options.destination && options.format === 'json'
    ? pino(settings, options.destination)
    : pino(settings);
}

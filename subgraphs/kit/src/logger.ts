import pino, { type Logger } from 'pino';

export type { Logger };

/** A pino logger named after the service; `pretty` is for humans at a terminal, JSON otherwise. */
export function createLogger(options: {
  service: string;
  level: string;
  format: 'json' | 'pretty';
}): Logger {
  return pino({
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
  });
}

import { pino, type Logger } from 'pino';

/**
 * The process logger: JSON lines on stdout. Request bodies never reach it, and credentials in
 * headers are redacted should a request ever be logged at debug.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'attune' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
  });
}

export type { Logger };

// One pino root per process; every component takes `log.child({ module })`.
// Plain JSON on stdout: journald and balena's log stream collect it as is.
import pino, { type Logger } from 'pino';

export type { Logger };

export function rootLogger(level: string = process.env.LIVEPLAYER_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    // The API token travels in these; it must never reach a log line.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'token', '*.token'], censor: '[redacted]' },
  });
}

// One pino root per process; every component takes `log.child({ module })`.
// Plain JSON on stdout when it is not a terminal: journald and balena's log
// stream collect it as is. On a terminal (or --log-format pretty) each line
// is turned into words a person reads: time, level, module, message, fields.
import pino, { type DestinationStream, type Logger } from 'pino';
import { prettyLine } from './log-pretty';

export type { Logger };

export type LogFormat = 'auto' | 'json' | 'pretty';

/** json or pretty for `format` and this stdout. */
export function resolveLogFormat(format: LogFormat, isTty: boolean = Boolean(process.stdout.isTTY)): 'json' | 'pretty' {
  return format === 'auto' ? (isTty ? 'pretty' : 'json') : format;
}

export function rootLogger(level: string = process.env.LIVEPLAYER_LOG_LEVEL ?? 'info', format: LogFormat = 'json'): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    // The API token travels in these; it must never reach a log line.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'token', '*.token'], censor: '[redacted]' },
  };
  if (resolveLogFormat(format) === 'json') return pino(options);
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const dest: DestinationStream = { write: (line: string) => void process.stdout.write(prettyLine(line, color)) };
  return pino(options, dest);
}

// Turns one pino JSON line into a line a person reads on a terminal:
//   21:04:05.123 INFO  http: http listening address=127.0.0.1:8080
// Errors keep their message and, for unexpected ones, the stack on the lines below.

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'module', 'err']);

const value = (v: unknown): string => {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v);
};

/** Called by the logger for every line when the format is pretty. */
export function prettyLine(json: string, color = false): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const lvl = Number(o.level);
  const time = new Date(Number(o.time)).toISOString().slice(11, 23);
  const name = (LEVELS[lvl] ?? String(o.level)).padEnd(5);
  const level = color ? `\x1b[${COLORS[lvl] ?? '0'}m${name}\x1b[0m` : name;
  const module = typeof o.module === 'string' ? `${o.module}: ` : '';
  const fields = Object.entries(o)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  let out = `${time} ${level} ${module}${String(o.msg ?? '')}${fields ? ` ${fields}` : ''}`;
  const err = o.err as { message?: string; stack?: string } | undefined;
  if (err) out += `\n${String(err.stack ?? err.message ?? JSON.stringify(err))}`.replace(/\n/g, '\n    ');
  return `${out}\n`;
}

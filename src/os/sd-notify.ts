// systemd's notify protocol (sd_notify(3)): READY once the daemon serves,
// WATCHDOG at half of WATCHDOG_USEC, STATUS lines, STOPPING at shutdown.
// Node has no unix datagram sockets, so the datagrams go through unix-dgram
// (a small, long-lived native binding). Without NOTIFY_SOCKET every call is a
// no-op, as under balena, docker or a shell.
import type { Logger } from 'pino';

// unix-dgram ships no types; this is the part we use.
interface DgramSocket {
  on(event: 'error', fn: (err: Error) => void): void;
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error) => void): void;
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createSocket } = require('unix-dgram') as { createSocket(type: 'unix_dgram'): DgramSocket };

export interface Notifier {
  /** The daemon serves: READY=1 (with an optional STATUS), and the watchdog starts. */
  ready(status?: string): void;
  status(s: string): void;
  /** Shutdown has begun; systemd then waits for the exit instead of calling it a crash. */
  stopping(): void;
  /** Stops the watchdog timer; call last. */
  close(): void;
}

const NOOP: Notifier = { ready() {}, status() {}, stopping() {}, close() {} };

/**
 * Called once by the daemon at start. The watchdog ping runs on an ordinary
 * event-loop timer on purpose: when the loop is stuck the pings stop and
 * systemd restarts us, which is the whole point of WatchdogSec.
 */
export function createNotifier(log: Logger, env: NodeJS.ProcessEnv = process.env): Notifier {
  const target = env.NOTIFY_SOCKET;
  const l = log.child({ module: 'sd-notify' });
  if (!target) return NOOP;
  if (target.startsWith('@')) {
    // unix-dgram copies the address with strncpy, so a name starting with NUL
    // cannot be expressed. systemd's own managers use path sockets
    // (/run/systemd/notify); only some other supervisors use abstract ones.
    l.warn({ socket: target }, 'abstract NOTIFY_SOCKET is not supported; not notifying systemd');
    return NOOP;
  }
  const intervalMs = watchdogIntervalMs(env);
  let timer: NodeJS.Timeout | null = null;

  // One socket per message, as libsystemd's sd_notify does: nothing stays
  // open between pings and nothing keeps the process alive.
  const send = (msg: string): void => {
    let sock: DgramSocket | null = null;
    try {
      sock = createSocket('unix_dgram');
      sock.on('error', (err) => l.warn({ err }, 'notify socket error'));
      const buf = Buffer.from(msg);
      sock.send(buf, 0, buf.length, target, (err) => {
        if (err) l.warn({ err, msg: msg.split('\n')[0] }, 'sd_notify failed');
      });
    } catch (err) {
      l.warn({ err }, 'sd_notify failed');
    } finally {
      try {
        sock?.close();
      } catch {
        /* already closed */
      }
    }
  };

  return {
    ready(status?: string) {
      send(status === undefined ? 'READY=1' : `READY=1\nSTATUS=${oneLine(status)}`);
      if (intervalMs !== null && timer === null) {
        timer = setInterval(() => send('WATCHDOG=1'), intervalMs);
        timer.unref();
        l.info({ intervalMs }, 'systemd watchdog pings started');
      }
    },
    status(s: string) {
      send(`STATUS=${oneLine(s)}`);
    },
    stopping() {
      send('STOPPING=1');
    },
    close() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

/** Half of WATCHDOG_USEC in ms, or null when the watchdog is off or meant for another process. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  // sd_watchdog_enabled(3): WATCHDOG_PID names the process the watchdog is for.
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== process.pid) return null;
  return Math.max(1, Math.floor(usec / 2000));
}

// Assignments are newline-separated, so a status must stay on one line.
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

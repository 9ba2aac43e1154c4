// Which bus address dbus-next is given. dbus-next connects `unix:path=` and
// `unix:abstract=` through its optional native `usocket` transport, and that
// transport can abort the whole process: when a connection's wrapper is
// garbage-collected after the bus went away, its destructor uv_close()s a
// poll handle inside memory that is freed the moment it returns, and libuv
// then fails `uv__finish_close: Assertion ... UV_HANDLE_CLOSING` (SIGABRT,
// reproduced here: 1 run in 3 of 60 start/stop cycles with a forced GC). It
// also loses megabyte-sized writes. We never pass file descriptors over the
// bus, so every unix socket goes through Node's own net.Socket instead:
// dbus-next's `unix:socket=<path>` key does exactly that.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where the system bus lives when DBUS_SYSTEM_BUS_ADDRESS is unset (D-Bus spec). */
export const SYSTEM_BUS_DEFAULT = 'unix:path=/var/run/dbus/system_bus_socket';

export class BusAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BusAddressError';
  }
}

// dbus-next splits an address on ';', ':', ',' and '=' without unescaping,
// so a socket path holding one of these cannot be handed to it at all.
const UNSAYABLE = /[;:,=]/;

/** D-Bus address values escape bytes as %XX (spec, "Server Addresses"). */
function unescapeValue(v: string): string {
  return Buffer.from(v.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

function parseEntry(entry: string): { transport: string; params: Map<string, string> } {
  const colon = entry.indexOf(':');
  if (colon < 0) throw new BusAddressError(`D-Bus address "${entry}" has no transport (expected e.g. unix:path=/run/dbus/system_bus_socket)`);
  const params = new Map<string, string>();
  for (const kv of entry.slice(colon + 1).split(',').filter(Boolean)) {
    const eq = kv.indexOf('=');
    if (eq < 0) throw new BusAddressError(`D-Bus address "${entry}": "${kv}" is not key=value`);
    params.set(kv.slice(0, eq), unescapeValue(kv.slice(eq + 1)));
  }
  return { transport: entry.slice(0, colon), params };
}

function socketEntry(path: string, entry: string): string {
  if (UNSAYABLE.test(path)) throw new BusAddressError(`D-Bus address "${entry}": socket path contains one of ; : , = which dbus-next cannot address`);
  return `unix:socket=${path}`;
}

/**
 * Rewrites every unix entry of a D-Bus address list to dbus-next's
 * net.Socket form; other transports (tcp, unixexec) pass unchanged.
 * Abstract sockets become a path starting with NUL, which net.Socket
 * understands on Linux.
 */
export function plainSocketAddress(address: string): string {
  const entries = address.split(';').filter(Boolean);
  if (entries.length === 0) throw new BusAddressError('D-Bus address is empty');
  return entries
    .map((entry) => {
      const { transport, params } = parseEntry(entry);
      if (transport !== 'unix') return entry;
      const path = params.get('path');
      if (path !== undefined) return socketEntry(path, entry);
      const abstract = params.get('abstract');
      if (abstract !== undefined) return socketEntry(`\0${abstract}`, entry);
      const socket = params.get('socket');
      if (socket !== undefined) return socketEntry(socket, entry);
      throw new BusAddressError(`D-Bus address "${entry}" names no socket (path= or abstract=)`);
    })
    .join(';');
}

/**
 * The address of the bus to connect to, as clients look it up: an explicit
 * one, then the environment, then the defaults (system socket; for the
 * session bus $XDG_RUNTIME_DIR/bus, where systemd --user puts it).
 */
export function busAddressFor(bus: 'system' | 'session', explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return plainSocketAddress(explicit);
  if (bus === 'system') return plainSocketAddress(env.DBUS_SYSTEM_BUS_ADDRESS || SYSTEM_BUS_DEFAULT);
  if (env.DBUS_SESSION_BUS_ADDRESS) return plainSocketAddress(env.DBUS_SESSION_BUS_ADDRESS);
  const runtime = env.XDG_RUNTIME_DIR && join(env.XDG_RUNTIME_DIR, 'bus');
  if (runtime && existsSync(runtime)) return plainSocketAddress(`unix:path=${runtime}`);
  throw new BusAddressError('no session bus: DBUS_SESSION_BUS_ADDRESS is unset and $XDG_RUNTIME_DIR/bus does not exist');
}

// What every D-Bus interface of the daemon shares: player errors translated
// to D-Bus errors at the edge, PropertiesChanged sent only for real changes,
// and argument names in the introspection data (dbus-next has none).
import { DBusError, interface as dbusInterface } from 'dbus-next';
import type { Logger } from 'pino';
import { asPlayerError, PlayerError } from '../player/errors';

/** The D-Bus shape of any failure: `org.liveplayerd.Error.<Reason>` with the errMsg text. */
export function toDBusError(e: unknown, method: string): DBusError {
  if (e instanceof DBusError) return e;
  const pe = asPlayerError(e, method);
  return new DBusError(pe.dbusName, pe.errMsg);
}

export function invalidArgument(method: string, detail: string): DBusError {
  return toDBusError(new PlayerError('InvalidArgument', method, detail), method);
}

/**
 * Runs a player call for a D-Bus method so that whatever it throws or rejects
 * with reaches the caller as a typed D-Bus error, never as dbus-next's
 * ServiceError with a stack trace.
 */
export function guard<R>(method: string, fn: () => R): R {
  try {
    const r = fn();
    if (r instanceof Promise) return r.catch((e: unknown) => Promise.reject(toDBusError(e, method))) as R;
    return r;
  } catch (e) {
    throw toDBusError(e, method);
  }
}

type Values = Record<string, unknown>;

function same(a: unknown, b: unknown): boolean {
  const enc = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
  return enc(a) === enc(b);
}

/**
 * Remembers the last announced value of each property and, on refresh(),
 * emits PropertiesChanged with only those that really differ. Interfaces call
 * refresh() after any player event, so a no-op set announces nothing.
 */
export class PropertyMirror {
  private last: Values;

  constructor(
    private readonly iface: dbusInterface.Interface,
    private readonly read: () => Values,
    private readonly log: Logger,
  ) {
    this.last = read();
  }

  refresh(): void {
    const now = this.read();
    const changed: Values = {};
    for (const [k, v] of Object.entries(now)) if (!same(v, this.last[k])) changed[k] = v;
    this.last = now;
    if (Object.keys(changed).length === 0) return;
    // A write on a closed connection throws; losing a signal then is fine,
    // but it must not travel back into the player's event emitter.
    try {
      dbusInterface.Interface.emitPropertiesChanged(this.iface, changed, []);
    } catch (err) {
      this.log.debug({ err }, 'PropertiesChanged not sent');
    }
  }
}

/** Sends a signal without letting a closed connection throw into the caller. */
export function safeSignal(log: Logger, send: () => void): void {
  try {
    send();
  } catch (err) {
    log.debug({ err }, 'signal not sent');
  }
}

interface XmlArg {
  $: { name?: string; direction?: string; type: string };
}
interface XmlMember {
  $: { name: string };
  arg?: XmlArg[];
}
export interface IntrospectXml {
  $: { name: string };
  method?: XmlMember[];
  signal?: XmlMember[];
  property?: unknown[];
}

/** Adds argument names to dbus-next's introspection data so `gdbus introspect` shows the contract's names. */
export function nameArgs(xml: IntrospectXml, names: Record<string, string[]>): IntrospectXml {
  for (const m of [...(xml.method ?? []), ...(xml.signal ?? [])]) {
    const n = names[m.$.name];
    if (!n) continue;
    (m.arg ?? []).forEach((a, i) => {
      if (n[i]) a.$ = { name: n[i], ...a.$ };
    });
  }
  return xml;
}

// Checks calls on our objects before dbus-next handles them. dbus-next answers
// a Set on a read-only property twice (InvalidArgs, then a ServiceError with a
// stack trace), a Set with the wrong variant type with a generic InvalidArgs,
// and a known method called with the wrong signature as "does not exist";
// here each gets one precise error instead.
import { Message, type MessageBus } from 'dbus-next';

interface PropertyOptions {
  name: string;
  signature: string;
  access: string;
}
interface MethodOptions {
  name: string;
  inSignature: string;
}
/** The metadata dbus-next keeps on a configured Interface. */
export interface GuardedInterface {
  $name: string;
  $properties?: Record<string, PropertyOptions>;
  $methods?: Record<string, MethodOptions>;
}

const PROPS = 'org.freedesktop.DBus.Properties';

// Our own interface answers with the contract's error names; MPRIS with the
// standard ones that MPRIS clients expect.
function argError(ifaceName: string): string {
  return ifaceName.startsWith('org.liveplayerd.') ? 'org.liveplayerd.Error.InvalidArgument' : 'org.freedesktop.DBus.Error.InvalidArgs';
}

function checkSet(msg: Message, ifaces: GuardedInterface[]): [string, string] | null {
  if (msg.signature !== 'ssv') return ['org.freedesktop.DBus.Error.InvalidArgs', `Set takes (ssv), got (${msg.signature ?? ''})`];
  const [ifaceName, prop, value] = msg.body as [string, string, { signature: string }];
  const iface = ifaces.find((i) => i.$name === ifaceName);
  if (!iface) return ['org.freedesktop.DBus.Error.UnknownInterface', `No such interface '${ifaceName.slice(0, 200)}'`];
  const opts = Object.values(iface.$properties ?? {}).find((p) => p.name === prop);
  if (!opts) return ['org.freedesktop.DBus.Error.UnknownProperty', `No such property '${prop.slice(0, 200)}'`];
  if (opts.access === 'read') return ['org.freedesktop.DBus.Error.PropertyReadOnly', `Property '${prop}' is read-only`];
  if (value.signature !== opts.signature) {
    return [argError(ifaceName), `Set:fail ${prop} takes type '${opts.signature}', got '${value.signature.slice(0, 200)}'`];
  }
  return null;
}

function checkCall(msg: Message, ifaces: GuardedInterface[]): [string, string] | null {
  const iface = ifaces.find((i) => i.$name === msg.interface);
  if (!iface) return null;
  const m = Object.values(iface.$methods ?? {}).find((x) => x.name === msg.member);
  const sig = msg.signature ?? '';
  if (!m || m.inSignature === sig) return null;
  return [argError(iface.$name), `${msg.member}:fail takes (${m.inSignature}), got (${sig.slice(0, 200)})`];
}

/**
 * Installs the check for the objects in `objects` (path -> interfaces) and
 * returns the function that removes it. Anything it passes goes on to dbus-next.
 */
export function installCallGuard(bus: MessageBus, objects: Map<string, GuardedInterface[]>): () => void {
  const handler = (msg: Message): boolean => {
    const ifaces = objects.get(msg.path);
    if (!ifaces) return false;
    const refusal = msg.interface === PROPS && msg.member === 'Set' ? checkSet(msg, ifaces) : checkCall(msg, ifaces);
    if (!refusal) return false;
    // dbus-next's typings declare the first parameter a string; it is the call.
    bus.send(Message.newError(msg as unknown as string, refusal[0], refusal[1]));
    return true;
  };
  bus.addMethodHandler(handler);
  return () => bus.removeMethodHandler(handler);
}

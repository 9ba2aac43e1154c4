// The bus address dbus-next gets: every unix socket as a net.Socket one.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusAddressError, busAddressFor, plainSocketAddress } from '../../../src/dbus/bus-address';

t.test('unix entries become unix:socket=, others pass unchanged', async (t) => {
  const cases: [string, string][] = [
    ['unix:path=/run/dbus/system_bus_socket', 'unix:socket=/run/dbus/system_bus_socket'],
    ['unix:path=/tmp/dbus-x,guid=0123abcd', 'unix:socket=/tmp/dbus-x'],
    ['unix:abstract=/tmp/dbus-Ab12', 'unix:socket=\0/tmp/dbus-Ab12'],
    ['unix:path=/tmp/a%20b%2dc', 'unix:socket=/tmp/a b-c'],
    ['unix:socket=/tmp/s', 'unix:socket=/tmp/s'],
    ['tcp:host=127.0.0.1,port=4000', 'tcp:host=127.0.0.1,port=4000'],
    ['unix:path=/a;tcp:host=h,port=1', 'unix:socket=/a;tcp:host=h,port=1'],
  ];
  for (const [input, want] of cases) t.equal(plainSocketAddress(input), want, input);
});

t.test('addresses dbus-next cannot use are refused with a clear error', async (t) => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['nonsense', /no transport/],
    ['unix:path', /not key=value/],
    ['unix:tmpdir=/tmp', /names no socket/],
    ['unix:path=/tmp/a%3ab', /cannot address/],
  ];
  for (const [input, msg] of cases) t.throws(() => plainSocketAddress(input), { name: 'BusAddressError', message: msg }, input);
  t.ok(new BusAddressError('x') instanceof Error);
});

t.test('the lookup order: explicit, environment, defaults', async (t) => {
  t.equal(busAddressFor('system', 'unix:path=/x', { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/y' }), 'unix:socket=/x');
  t.equal(busAddressFor('system', undefined, { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/y' }), 'unix:socket=/y');
  t.equal(busAddressFor('system', undefined, {}), 'unix:socket=/var/run/dbus/system_bus_socket');
  t.equal(busAddressFor('session', undefined, { DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/s' }), 'unix:socket=\0/s');
  const runtime = mkdtempSync(join(tmpdir(), 'lp-runtime-'));
  t.throws(() => busAddressFor('session', undefined, { XDG_RUNTIME_DIR: runtime }), /no session bus/);
  writeFileSync(join(runtime, 'bus'), '');
  t.equal(busAddressFor('session', undefined, { XDG_RUNTIME_DIR: runtime }), `unix:socket=${runtime}/bus`);
});

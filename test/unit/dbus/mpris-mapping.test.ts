// Proves the pure parts of the D-Bus adapter without a bus: how player states
// read as MPRIS PlaybackStatus, how a stream's title is derived from its URL,
// and that PropertyMirror announces only values that really changed.
import t from 'tap';
import { interface as dbusInterface } from 'dbus-next';
import pino from 'pino';
import { PropertyMirror } from '../../../src/dbus/edge';
import { playbackStatus, streamTitle } from '../../../src/dbus/mpris';
import { PLAYER_STATES } from '../../../src/player/state';

t.test('PlaybackStatus for every player state', async (t) => {
  const want: Record<string, string> = {
    idle: 'Stopped',
    connecting: 'Playing',
    playing: 'Playing',
    paused: 'Paused',
    reconnecting: 'Playing',
    stopped: 'Stopped',
    error: 'Stopped',
    waiting: 'Stopped',
  };
  t.same(Object.keys(want).sort(), [...PLAYER_STATES].sort(), 'the table covers every state');
  for (const s of PLAYER_STATES) t.equal(playbackStatus(s), want[s], s);
});

t.test('xesam:title is the stream name, or "<identity> live"', async (t) => {
  const cases: [string, string][] = [
    ['rtmp://10.0.0.5/live/room1', 'room1'],
    ['rtmp://10.0.0.5:1935/live/room1?token=abc', 'room1'],
    ['http://10.0.0.5/live/room2.flv', 'room2'],
    ['https://cdn.example/live/%E4%B8%80%E7%8F%AD.FLV', '一班'],
    ['rtmp://10.0.0.5/', 'Room 101 live'],
    ['http://10.0.0.5', 'Room 101 live'],
    ['not a url', 'Room 101 live'],
    ['http://h/%E0%A4%A', 'Room 101 live'],
  ];
  for (const [src, title] of cases) t.equal(streamTitle(src, 'Room 101'), title, src);
});

class Probe extends dbusInterface.Interface {
  A = 1;
  B = 'x';
}
Probe.configureMembers({ properties: { A: { signature: 'i', access: 'read' }, B: { signature: 's', access: 'read' } } });

t.test('PropertyMirror emits only real changes, once each', async (t) => {
  const iface = new Probe('org.example.Probe');
  const seen: Record<string, unknown>[] = [];
  (iface as unknown as { $emitter: NodeJS.EventEmitter }).$emitter.on('properties-changed', (changed: Record<string, { value: unknown }>) =>
    seen.push(Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, v.value]))),
  );
  const mirror = new PropertyMirror(iface, () => ({ A: iface.A, B: iface.B }), pino({ level: 'silent' }));
  mirror.refresh();
  t.same(seen, [], 'nothing changed since construction');
  iface.A = 2;
  mirror.refresh();
  mirror.refresh();
  iface.B = 'y';
  iface.A = 2;
  mirror.refresh();
  t.same(seen, [{ A: 2 }, { B: 'y' }]);
});

// Proves, with dbus-monitor watching the bus, that PropertiesChanged is sent
// once per real change and never for a set that changes nothing, and that the
// player's events arrive as the StateChange, NetStatus and FullScreenChange
// signals with the contract's signatures.
import t from 'tap';
import { errorName, gcall, gset, IFACE, SignalMonitor, startService, until, type Service } from '../../helpers/dbus-harness';
import { sleep } from '../../helpers/time';

let s: Service;
let mon: SignalMonitor;
t.before(async () => {
  s = await startService();
  mon = await SignalMonitor.start(s.env);
});
t.teardown(async () => {
  mon?.stop();
  await s?.stop();
});

// PropertiesChanged of our interface (MPRIS sends its own, counted elsewhere).
const changes = () => mon.signals('PropertiesChanged').filter((x) => x.body.includes(`"${IFACE}"`));
// Settles: waits for `n` matching signals, then a little longer for extras.
async function settle(count: () => number, n: number): Promise<void> {
  await until(() => count() >= n);
  await sleep(300);
}

t.test('PropertiesChanged once per real change, none for a no-op set', async (t) => {
  mon.clear();
  t.equal((await gset(s.env, 'Muted', '<true>')).code, 0);
  t.equal((await gset(s.env, 'Muted', '<true>')).code, 0);
  t.equal((await gset(s.env, 'Mode', "<'live'>")).code, 0);
  t.equal(errorName(await gset(s.env, 'Mode', "<'bad'>")), 'org.liveplayerd.Error.InvalidArgument');
  await settle(() => changes().length, 1);
  const seen = changes();
  t.equal(seen.length, 1, 'one signal for two identical sets, a no-op set and a refused set');
  t.match(seen[0].body, /string "Muted"\s+variant\s+boolean true/);
  t.notMatch(seen[0].body, '"Mode"');
  t.equal(seen[0].path, '/org/liveplayerd/Player');
});

t.test('state changes and status codes: PropertiesChanged State/LastCode and StateChange', async (t) => {
  await gset(s.env, 'Src', "<'rtmp://10.0.0.5/live/room1'>");
  mon.clear();
  t.equal((await gcall(s.env, `${IFACE}.Play`)).code, 0);
  s.engine.events.code(2001);
  s.engine.events.code(2005);
  s.engine.events.code(2005);
  await settle(() => mon.signals('StateChange').length, 3);
  const sc = mon.signals('StateChange');
  t.equal(sc.length, 3);
  t.match(sc[0].body, /int32 2001\s+string "Connected to the server"/);
  t.match(sc[2].body, /int32 2005\s+string "Playback progress"/);
  t.equal(sc[0].iface, IFACE);
  const pc = changes().map((x) => x.body);
  t.equal(pc.filter((b) => b.includes('"State"')).length, 1, 'State announced once (connecting)');
  t.match(pc.join('\n'), /string "State"\s+variant\s+string "connecting"/);
  t.equal(pc.filter((b) => /"LastCode"\s+variant\s+int32 2005/.test(b)).length, 1, 'a repeated 2005 is not a change');
});

t.test('NetStatus carries a{sv} with double values', async (t) => {
  mon.clear();
  s.engine.events.netstatus({ videoBitrate: 1200, fps: 25, netJitter: 3 });
  await settle(() => mon.signals('NetStatus').length, 1);
  const ns = mon.signals('NetStatus');
  t.equal(ns.length, 1);
  t.match(ns[0].body, /string "videoBitrate"\s+variant\s+double 1200/);
  t.match(ns[0].body, /string "fps"\s+variant\s+double 25/);
});

t.test('FullScreenChange(i direction, b fullScreen) once per change', async (t) => {
  mon.clear();
  await gcall(s.env, `${IFACE}.RequestFullScreen`, ['90']);
  await gcall(s.env, `${IFACE}.RequestFullScreen`, ['90']);
  await gcall(s.env, `${IFACE}.ExitFullScreen`);
  await settle(() => mon.signals('FullScreenChange').length, 2);
  const fs = mon.signals('FullScreenChange');
  t.equal(fs.length, 2);
  t.match(fs[0].body, /int32 90\s+boolean true/);
  t.match(fs[1].body, /int32 0\s+boolean false/);
  const pc = changes().map((x) => x.body);
  t.equal(pc.length, 2);
  t.match(pc[0], /"FullScreen"\s+variant\s+boolean true/);
  t.match(pc[0], /"Direction"\s+variant\s+int32 90/);
});

t.test('no signal once the service is stopped, and the player keeps working', async (t) => {
  await s.service.stop();
  mon.clear();
  s.engine.events.code(2005);
  s.player.mute();
  await sleep(300);
  t.same(mon.signals(), []);
  t.equal(s.player.attributes.muted, true);
});

// Proves MPRIS 2 with playerctl, the client users actually have: status,
// play, pause, play-pause, stop, open, volume and metadata reach the player;
// the MediaPlayer2 properties say who we are and what we cannot do; methods a
// live stream has no use for do nothing; PlaybackStatus is announced once per
// change.
import t from 'tap';
import { bget, errorName, gcall, gset, MPRIS_NAME, MPRIS_PATH, run, SignalMonitor, startService, until, type Service } from '../../helpers/dbus-harness';
import { sleep } from '../../helpers/time';

const ROOT = 'org.mpris.MediaPlayer2';
const PLAYER = 'org.mpris.MediaPlayer2.Player';

let s: Service;
t.before(async () => {
  s = await startService({ identity: 'Room 101' });
});
t.teardown(() => s?.stop());

const ctl = (...args: string[]) => run('playerctl', ['-p', 'liveplayerd', ...args], s.env);
const mget = async (iface: string, prop: string) => (await bget(s.env, prop, iface, MPRIS_NAME, MPRIS_PATH)).data;
const mcall = (method: string, args: string[] = []) => gcall(s.env, method, args, MPRIS_NAME, MPRIS_PATH);

t.test('playerctl finds the player; MediaPlayer2 says who it is and what it cannot do', async (t) => {
  t.match((await run('playerctl', ['-l'], s.env)).stdout, /^liveplayerd$/m);
  t.equal(await mget(ROOT, 'Identity'), 'Room 101');
  t.equal(await mget(ROOT, 'CanQuit'), false);
  t.equal(await mget(ROOT, 'CanRaise'), false);
  t.equal(await mget(ROOT, 'HasTrackList'), false);
  t.same(await mget(ROOT, 'SupportedUriSchemes'), ['rtmp', 'rtmps', 'http', 'https']);
  t.same(await mget(ROOT, 'SupportedMimeTypes'), ['video/x-flv']);
  t.equal((await mcall(`${ROOT}.Raise`)).code, 0);
  t.equal((await mcall(`${ROOT}.Quit`)).code, 0);
  t.equal(s.player.state, 'idle', 'Quit does not stop anything');
});

t.test('with no src: Stopped, nothing to play, metadata says NoTrack', async (t) => {
  t.equal((await ctl('status')).stdout, 'Stopped');
  t.equal(await mget(PLAYER, 'CanPlay'), false);
  t.equal(await mget(PLAYER, 'CanControl'), true);
  const r = await ctl('play');
  t.not(r.code, 0, 'playerctl refuses: CanPlay is false');
  t.equal(errorName(await mcall(`${PLAYER}.Play`)), 'org.liveplayerd.Error.NoSource');
  t.same(s.engine.calls, []);
  t.same(await mget(PLAYER, 'Metadata'), { 'mpris:trackid': { type: 'o', data: '/org/mpris/MediaPlayer2/TrackList/NoTrack' } });
});

t.test('open validates the URI, sets src and plays; metadata follows', async (t) => {
  const bad = await ctl('open', 'file:///etc/passwd');
  t.not(bad.code, 0);
  t.match(bad.stderr, 'org.liveplayerd.Error.InvalidArgument');
  t.equal(s.player.attributes.src, '');
  t.equal((await ctl('open', 'rtmp://10.0.0.5/live/room1')).code, 0);
  t.equal(s.player.attributes.src, 'rtmp://10.0.0.5/live/room1');
  t.equal(s.player.state, 'connecting');
  t.equal((await ctl('status')).stdout, 'Playing');
  t.equal((await ctl('metadata', 'xesam:url')).stdout, 'rtmp://10.0.0.5/live/room1');
  t.equal((await ctl('metadata', 'xesam:title')).stdout, 'room1');
  t.match((await ctl('metadata', 'mpris:trackid')).stdout, /^'\/org\/liveplayerd\/Track\/\d+'$/);
  t.equal(await mget(PLAYER, 'CanPlay'), true);
  t.equal(await mget(PLAYER, 'CanPause'), true);
});

t.test('play, pause, play-pause and stop through playerctl', async (t) => {
  s.engine.events.code(2004);
  t.equal((await ctl('status')).stdout, 'Playing');
  t.equal((await ctl('pause')).code, 0);
  t.equal((await ctl('status')).stdout, 'Paused');
  t.equal(s.player.state, 'paused');
  t.equal((await ctl('play-pause')).code, 0);
  t.equal(s.player.state, 'playing');
  t.equal((await ctl('play-pause')).code, 0);
  t.equal(s.player.state, 'paused');
  t.equal((await ctl('play')).code, 0);
  t.equal(s.player.state, 'playing');
  t.equal((await ctl('stop')).code, 0);
  t.equal((await ctl('status')).stdout, 'Stopped');
  t.equal(s.player.state, 'stopped');
  t.equal((await ctl('pause')).code, 0, 'pausing what is stopped has no effect');
  t.equal(s.player.state, 'stopped');
  t.equal((await ctl('play-pause')).code, 0, 'play-pause from stopped plays');
  t.equal(s.player.state, 'connecting');
  await ctl('stop');
});

t.test('Volume is the volume attribute as 0.0-1.0, apart from muted; clamped at both ends', async (t) => {
  t.equal(Number((await ctl('volume')).stdout), 1, 'default 100 reads 1.0');
  t.equal((await ctl('volume', '0.5')).code, 0);
  t.equal(s.player.attributes.volume, 50, 'playerctl volume 0.5 sets 50');
  t.equal(Number((await ctl('volume')).stdout), 0.5);
  t.equal(s.player.attributes.muted, false, 'a level does not touch muted');
  s.player.mute();
  t.equal(await mget(PLAYER, 'Volume'), 0.5, 'muting keeps the level (mpv, VLC)');
  t.equal((await ctl('volume', '0.25')).code, 0);
  t.same([s.player.attributes.volume, s.player.attributes.muted], [25, true], 'muted stays as set');
  s.player.setAttributes({ muted: false });
  t.equal((await gset(s.env, 'Volume', '<1.7>', PLAYER, MPRIS_NAME, MPRIS_PATH)).code, 0);
  t.equal(s.player.attributes.volume, 100, 'above 1.0 caps at 100 (no amplification)');
  t.equal((await gset(s.env, 'Volume', '<-0.3>', PLAYER, MPRIS_NAME, MPRIS_PATH)).code, 0);
  t.equal(s.player.attributes.volume, 0, 'below 0.0 is 0 (MPRIS)');
  t.equal((await gset(s.env, 'Volume', '<0.333>', PLAYER, MPRIS_NAME, MPRIS_PATH)).code, 0);
  t.equal(s.player.attributes.volume, 33, 'stored in whole percent');
  s.player.setAttributes({ volume: 80 });
  t.equal(Number((await ctl('volume')).stdout), 0.8, 'a change from elsewhere shows in MPRIS');
  s.player.setAttributes({ volume: 100 });
});

t.test('no tracks, no seeking, one rate: those calls change nothing', async (t) => {
  const before = s.player.view();
  for (const [m, args] of [['Next', []], ['Previous', []], ['Seek', ['int64 5000000']], ['SetPosition', ["objectpath '/org/liveplayerd/Track/1'", 'int64 0']]] as const) {
    const r = await mcall(`${PLAYER}.${m}`, [...args]);
    t.equal(r.code, 0, `${m}: ${r.stderr}`);
  }
  t.same(s.player.view(), before);
  for (const p of ['CanGoNext', 'CanGoPrevious', 'CanSeek']) t.equal(await mget(PLAYER, p), false, p);
  for (const p of ['Rate', 'MinimumRate', 'MaximumRate']) t.equal(await mget(PLAYER, p), 1, p);
  t.equal(await mget(PLAYER, 'Position'), 0);
  t.equal((await gset(s.env, 'Rate', '<1.0>', PLAYER, MPRIS_NAME, MPRIS_PATH)).code, 0);
  t.equal(errorName(await gset(s.env, 'Rate', '<2.0>', PLAYER, MPRIS_NAME, MPRIS_PATH)), 'org.liveplayerd.Error.InvalidArgument');
  t.equal(errorName(await gset(s.env, 'Volume', "<'loud'>", PLAYER, MPRIS_NAME, MPRIS_PATH)), 'org.freedesktop.DBus.Error.InvalidArgs');
  t.equal(errorName(await gset(s.env, 'PlaybackStatus', "<'Playing'>", PLAYER, MPRIS_NAME, MPRIS_PATH)), 'org.freedesktop.DBus.Error.PropertyReadOnly');
});

t.test('PlaybackStatus and Metadata are announced once per real change', async (t) => {
  const mon = await SignalMonitor.start(s.env);
  t.teardown(() => mon.stop());
  const mpris = () => mon.signals('PropertiesChanged').filter((x) => x.path === MPRIS_PATH).map((x) => x.body);
  await ctl('play');
  await ctl('play');
  s.engine.events.code(2004);
  await ctl('pause');
  await until(() => mpris().some((b) => b.includes('"Paused"')));
  await sleep(300);
  const statuses = mpris().flatMap((b) => [...b.matchAll(/"PlaybackStatus"\s+variant\s+string "(\w+)"/g)].map((m) => m[1]));
  t.same(statuses, ['Playing', 'Paused'], 'connecting and playing are both Playing: one announcement');
  mon.clear();
  await ctl('open', 'http://10.0.0.5/live/room2.flv');
  await until(() => mpris().some((b) => b.includes('"Metadata"')));
  await sleep(300);
  const meta = mpris().filter((b) => b.includes('"Metadata"'));
  t.equal(meta.length, 1);
  t.match(meta[0], /"xesam:title"\s+variant\s+string "room2"/);
  await ctl('stop');
});

// Proves that what `gdbus introspect` shows on the bus is the contract of
// docs/interface.md (names, signatures, argument directions, property access),
// for org.liveplayerd.LivePlayer1 and both MPRIS 2 interfaces.
import t from 'tap';
import { IFACE, interfaceLines, MPRIS_NAME, MPRIS_PATH, NAME, PATH, run, startService, type Service } from '../../helpers/dbus-harness';

const LIVE_PLAYER1 = [
  'method Play()',
  'method Stop()',
  'method Mute()',
  'method Pause()',
  'method Resume()',
  'method RequestFullScreen(in i direction)',
  'method ExitFullScreen()',
  'method RequestPictureInPicture()',
  'method ExitPictureInPicture()',
  'method Snapshot(in s quality, in s sourceType, out s path, out u width, out u height)',
  'method ShowPairingCode(out s until)',
  'property readwrite s Src',
  'property readwrite s Mode',
  'property readwrite b Autoplay',
  'property readwrite b Muted',
  'property readwrite i Volume',
  'property readwrite s Orientation',
  'property readwrite s ObjectFit',
  'property readwrite d MinCache',
  'property readwrite d MaxCache',
  'property readwrite b BackgroundMute',
  'property readwrite s SoundMode',
  'property read s State',
  'property read i LastCode',
  'property read b FullScreen',
  'property read i Direction',
  'signal StateChange(i code, s message)',
  'signal NetStatus(a{sv} info)',
  'signal FullScreenChange(i direction, b fullScreen)',
  'signal AudioVolumeNotify(i volume)',
  'signal Error(s errMsg)',
];

const MPRIS_ROOT = [
  'method Raise()',
  'method Quit()',
  'property read s Identity',
  'property read b CanQuit',
  'property read b CanRaise',
  'property read b HasTrackList',
  'property read as SupportedUriSchemes',
  'property read as SupportedMimeTypes',
];

const MPRIS_PLAYER = [
  'method Next()',
  'method Previous()',
  'method Pause()',
  'method PlayPause()',
  'method Stop()',
  'method Play()',
  'method Seek(in x Offset)',
  'method SetPosition(in o TrackId, in x Position)',
  'method OpenUri(in s Uri)',
  'signal Seeked(x Position)',
  'property read s PlaybackStatus',
  'property read a{sv} Metadata',
  'property readwrite d Volume',
  'property readwrite d Rate',
  'property read d MinimumRate',
  'property read d MaximumRate',
  'property read x Position',
  'property read b CanGoNext',
  'property read b CanGoPrevious',
  'property read b CanPlay',
  'property read b CanPause',
  'property read b CanSeek',
  'property read b CanControl',
];

let s: Service;
t.before(async () => {
  s = await startService();
});
t.teardown(() => s?.stop());

const introspect = async (dest: string, path: string) => {
  const r = await run('gdbus', ['introspect', '--session', '--xml', '--dest', dest, '--object-path', path], s.env);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout;
};

t.test('org.liveplayerd.LivePlayer1 at /org/liveplayerd/Player is the contract', async (t) => {
  t.same(interfaceLines(await introspect(NAME, PATH), IFACE), [...LIVE_PLAYER1].sort());
});

t.test('MPRIS 2 at /org/mpris/MediaPlayer2 has both interfaces as the MPRIS spec names them', async (t) => {
  const xml = await introspect(MPRIS_NAME, MPRIS_PATH);
  t.same(interfaceLines(xml, 'org.mpris.MediaPlayer2'), [...MPRIS_ROOT].sort());
  t.same(interfaceLines(xml, 'org.mpris.MediaPlayer2.Player'), [...MPRIS_PLAYER].sort());
});

t.test('both well-known names are owned by one connection', async (t) => {
  const owner = (n: string) =>
    run('gdbus', ['call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.GetNameOwner', n], s.env);
  const [a, b] = await Promise.all([owner(NAME), owner(MPRIS_NAME)]);
  t.equal(a.code, 0, a.stderr);
  t.equal(a.stdout, b.stdout);
});

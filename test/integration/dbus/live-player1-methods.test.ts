// Proves every org.liveplayerd.LivePlayer1 method, called with gdbus, reaches
// the player (and through it the engine) and that each refusal comes back as
// the player error's D-Bus name: NoSource, NotPlaying, NotPaused, NoFrame,
// InvalidArgument.
import t from 'tap';
import { bget, errorName, gcall, gset, IFACE, startService, until, type Service } from '../../helpers/dbus-harness';

let s: Service;
t.before(async () => {
  s = await startService();
});
t.teardown(() => s?.stop());

const call = (m: string, args: string[] = []) => gcall(s.env, `${IFACE}.${m}`, args);
const prop = async (p: string) => (await bget(s.env, p)).data;

t.test('Play with no src is refused with NoSource and opens nothing', async (t) => {
  const r = await call('Play');
  t.equal(errorName(r), 'org.liveplayerd.Error.NoSource');
  t.match(r.stderr, 'play:fail no src set');
  t.same(s.engine.calls, []);
  t.equal(await prop('State'), 'idle');
});

t.test('methods that need a session are refused before one exists', async (t) => {
  t.equal(errorName(await call('Pause')), 'org.liveplayerd.Error.NotPlaying');
  t.equal(errorName(await call('Resume')), 'org.liveplayerd.Error.NotPaused');
  t.equal(errorName(await call('Snapshot', ["''", "''"])), 'org.liveplayerd.Error.NoFrame');
});

t.test('Play, Pause, Resume, Snapshot, Stop drive the player and the engine', async (t) => {
  t.equal((await gset(s.env, 'Src', "<'rtmp://127.0.0.1/live/room1'>")).code, 0);
  let r = await call('Play');
  t.equal(r.code, 0, r.stderr);
  t.same(s.engine.calls, ['open']);
  t.equal(await prop('State'), 'connecting');
  s.engine.events.code(2004);
  t.equal(await prop('State'), 'playing');
  t.equal(await prop('LastCode'), 2004);

  r = await call('Snapshot', ["'compressed'", "'view'"]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, "('/var/lib/liveplayerd/snapshots/a.png', uint32 1280, uint32 720)");
  t.equal(s.engine.calls.at(-1), 'snapshot:compressed:view');
  await call('Snapshot', ["''", "''"]);
  t.equal(s.engine.calls.at(-1), 'snapshot:raw:stream', 'empty strings pick the defaults');
  t.equal(errorName(await call('Snapshot', ["'jpeg'", "''"])), 'org.liveplayerd.Error.InvalidArgument');
  t.equal(errorName(await call('Snapshot', ["''", "'screen'"])), 'org.liveplayerd.Error.InvalidArgument');

  t.equal((await call('Pause')).code, 0);
  t.equal(await prop('State'), 'paused');
  t.equal(s.engine.calls.at(-1), 'pause');
  t.equal((await call('Resume')).code, 0);
  t.equal(await prop('State'), 'playing');
  t.equal(s.engine.calls.at(-1), 'resume');

  t.equal((await call('Stop')).code, 0);
  t.equal(await prop('State'), 'stopped');
  t.equal(s.engine.calls.at(-1), 'stop');
  t.equal(s.player.intendsToPlay, false);
});

t.test('Mute mutes', async (t) => {
  t.equal(await prop('Muted'), false);
  t.equal((await call('Mute')).code, 0);
  t.equal(await prop('Muted'), true);
  t.equal(s.player.attributes.muted, true);
});

t.test('RequestFullScreen takes 0, 90 or -90; ExitFullScreen leaves', async (t) => {
  for (const bad of ['45', '180', '-1', '2147483647']) {
    const r = await call('RequestFullScreen', ['--', bad]);
    t.equal(errorName(r), 'org.liveplayerd.Error.InvalidArgument', bad);
  }
  t.equal(await prop('FullScreen'), false);
  t.equal((await call('RequestFullScreen', ['--', '-90'])).code, 0);
  t.equal(await prop('FullScreen'), true);
  t.equal(await prop('Direction'), -90);
  t.equal((await call('ExitFullScreen')).code, 0);
  t.equal(await prop('FullScreen'), false);
  t.equal(await prop('Direction'), 0);
});

t.test('RequestPictureInPicture and ExitPictureInPicture switch the view', async (t) => {
  t.equal((await call('RequestPictureInPicture')).code, 0);
  t.ok(await until(() => s.player.view().pictureInPicture));
  t.equal((await call('ExitPictureInPicture')).code, 0);
  t.equal(s.player.view().pictureInPicture, false);
});

t.test('an engine failure reaches the caller as EngineFailed, not as a stack trace', async (t) => {
  await call('Play');
  s.engine.events.code(2004);
  s.engine.snapshotError = new Error('pipeline gone');
  t.teardown(() => (s.engine.snapshotError = null));
  const r = await call('Snapshot', ["'raw'", "'stream'"]);
  t.equal(errorName(r), 'org.liveplayerd.Error.EngineFailed');
  t.match(r.stderr, 'snapshot:fail pipeline gone');
  t.notMatch(r.stderr, /at .*\.js:\d+/);
  await call('Stop');
});

// soundMode, muted and backgroundMute on real ALSA output (the `file` plugin,
// test/helpers/alsa-files.ts): the daemon plays a real publisher's tone
// through alsasink; what reaches each output file says which output is in use
// and whether it carries sound or silence (all-zero samples).
//
// nginx-rtmp on purpose: without a GOP cache the first key frame comes up to
// a GOP after play, which used to make every sample late and silent on a real
// audio sink (the worker now starts the clock at the first key frame).
import t, { type Test } from 'tap';
import { startDaemon, type RunningDaemon, type Subscription } from '../../helpers/daemon';
import { makeAlsaFiles, type AlsaFiles, type Window } from '../../helpers/alsa-files';
import { publishedStream } from '../../helpers/media-servers';
import { sleep } from '../../helpers/time';

/** Long enough to hold many periods; the wait before it lets the sink's ring buffer drain what was queued before a change. */
const WINDOW_MS = 1500;
const SETTLE_MS = 1200;

let src = '';

t.before(async () => {
  const { server: nginx } = await publishedStream(t, { server: 'nginx', name: 'tone' });
  src = nginx.rtmpUrl('tone');
});

async function playingOnAlsa(tt: Test, patch: Record<string, unknown> = {}): Promise<{ d: RunningDaemon; sub: Subscription; alsa: AlsaFiles }> {
  const alsa = await makeAlsaFiles();
  tt.teardown(() => alsa.remove());
  const d = await startDaemon({
    args: ['--audio-sink', 'alsa', '--audio-device-speaker', alsa.device('speaker'), '--audio-device-ear', alsa.device('ear')],
    env: alsa.env,
  });
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  tt.equal((await d.api('PATCH', '/api/v1/player', { src, ...patch })).status, 200);
  await d.api('POST', '/api/v1/player/play');
  await sub.waitForCode(2004, 20000);
  await sleep(SETTLE_MS);
  return { d, sub, alsa };
}

const kbps = (w: Window) => Math.round((w.bytes * 8) / WINDOW_MS);
const sound = (w: Window) => w.bytes > 0 && w.nonZero > w.bytes / 10;
const silence = (w: Window) => w.bytes > 0 && w.nonZero === 0;

t.test('soundMode: speaker plays on the main output, ear on the secondary one, switched while playing', { timeout: 120000 }, async (tt) => {
  const { d, sub, alsa } = await playingOnAlsa(tt);
  let w = await alsa.watch(WINDOW_MS);
  tt.ok(sound(w.speaker), `speaker: sound reaches the main output (${w.speaker.bytes} bytes, ${kbps(w.speaker)} kbit/s, ${w.speaker.nonZero} non-zero)`);
  tt.equal(w.ear.bytes, 0, 'nothing on the secondary output');

  const from = sub.events.length;
  tt.equal((await d.api('PATCH', '/api/v1/player', { soundMode: 'ear' })).body.attributes?.soundMode, 'ear');
  await sub.waitForCode(2004, 20000, from);
  await sleep(SETTLE_MS);
  w = await alsa.watch(WINDOW_MS);
  tt.ok(sound(w.ear), `ear: sound reaches the secondary output (${w.ear.bytes} bytes, ${kbps(w.ear)} kbit/s)`);
  tt.equal(w.speaker.bytes, 0, 'the main output stopped');

  const back = sub.events.length;
  await d.api('PATCH', '/api/v1/player', { soundMode: 'speaker' });
  await sub.waitForCode(2004, 20000, back);
  await sleep(SETTLE_MS);
  w = await alsa.watch(WINDOW_MS);
  tt.ok(sound(w.speaker) && w.ear.bytes === 0, `back to speaker: main ${w.speaker.bytes} bytes, secondary ${w.ear.bytes}`);
});

t.test('muted and backgroundMute write silence; muted stays what the user set', { timeout: 120000 }, async (tt) => {
  const { d, alsa } = await playingOnAlsa(tt, { soundMode: 'ear' });
  const check = async (what: string, want: 'sound' | 'silence') => {
    await sleep(SETTLE_MS);
    const w = (await alsa.watch(WINDOW_MS)).ear;
    tt.ok(want === 'sound' ? sound(w) : silence(w), `${what}: ${want} (${w.bytes} bytes, ${w.nonZero} non-zero)`);
  };
  await check('playing', 'sound');

  await d.api('POST', '/api/v1/player/mute');
  await check('mute()', 'silence');
  await d.api('PATCH', '/api/v1/player', { muted: false });
  await check('muted: false', 'sound');

  await d.api('PATCH', '/api/v1/player', { backgroundMute: true });
  await check('backgroundMute on, in foreground', 'sound');
  tt.same((await d.api('POST', '/api/v1/player/requestPictureInPicture')).body, { errMsg: 'requestPictureInPicture:ok' });
  await check('backgroundMute on, in background (picture-in-picture)', 'silence');
  const view = (await d.api('GET', '/api/v1/player')).body;
  tt.equal(view.attributes.muted, false, 'the muted attribute is untouched');
  tt.equal(view.pictureInPicture, true);
  await d.api('POST', '/api/v1/player/exitPictureInPicture');
  await check('back in foreground', 'sound');

  await d.api('POST', '/api/v1/player/requestPictureInPicture');
  await d.api('PATCH', '/api/v1/player', { backgroundMute: false });
  await check('backgroundMute off while in background', 'sound');
  tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing', 'played throughout');
});

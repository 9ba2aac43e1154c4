// The volume attribute on real ALSA output (test/helpers/alsa-files.ts): a
// real publisher's sine tone goes through the daemon's alsasink into a file;
// the RMS level of what reaches the file follows `volume` set over HTTP, over
// org.liveplayerd.LivePlayer1 (gdbus) and over MPRIS (playerctl) against a
// private dbus-daemon. Muting keeps the level; bad values change nothing.
import t from 'tap';
import { startDaemon } from '../../helpers/daemon';
import { makeAlsaFiles } from '../../helpers/alsa-files';
import { startDbusDaemon } from '../../helpers/dbus-daemon';
import { publishedStream } from '../../helpers/media-servers';
import { sleep } from '../../helpers/time';
import { bget, errorName, gset, run } from '../../helpers/dbus-harness';

const WINDOW_MS = 1500;
/** The sink's ring buffer holds what was queued before a change: wait it out. */
const SETTLE_MS = 1200;

t.test('volume scales the level that reaches the audio output, from HTTP, D-Bus and MPRIS', { timeout: 180000 }, async (t) => {
  const { server: nginx } = await publishedStream(t, { server: 'nginx', name: 'tone' });
  const bus = await startDbusDaemon({ defaults: 'session' });
  t.teardown(() => bus.stop());
  const alsa = await makeAlsaFiles();
  t.teardown(() => alsa.remove());
  const env = { ...alsa.env, DBUS_SESSION_BUS_ADDRESS: bus.address };
  const d = await startDaemon({ args: ['--dbus', 'session', '--audio-sink', 'alsa', '--audio-device-speaker', alsa.device('speaker')], env });
  t.teardown(() => d.stop());
  const denv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus.address };

  const sub = await d.subscribe();
  t.equal((await d.api('PATCH', '/api/v1/player', { src: nginx.rtmpUrl('tone') })).status, 200);
  await d.api('POST', '/api/v1/player/play');
  await sub.waitForCode(2004, 30000);
  const level = async () => {
    await sleep(SETTLE_MS);
    return (await alsa.watch(WINDOW_MS)).speaker;
  };

  // The reference is the level at 100, measured first and again at the end (the larger of the two:
  // a window just after the start can hold a little of the sink's start-up silence).
  const first = await level();
  t.ok(first.bytes > 0 && first.rms > 0.01, `at volume 100 the tone is there (rms ${first.rms.toFixed(4)} over ${first.bytes} bytes)`);
  const measured: { what: string; want: number; rms: number }[] = [];
  const ratio = async (what: string, want: number) => {
    measured.push({ what, want, rms: (await level()).rms });
  };

  t.equal((await d.api('PATCH', '/api/v1/player', { volume: 25 })).body.attributes?.volume, 25);
  await ratio('PATCH {volume: 25}', 0.25);

  for (const bad of [150, -1, 'loud', 50.5, null]) {
    const r = await d.api('PATCH', '/api/v1/player', { volume: bad });
    t.equal(r.status, 400, `PATCH {volume: ${JSON.stringify(bad)}} is refused: ${r.body?.errMsg}`);
  }
  t.equal((await d.api('GET', '/api/v1/player')).body.attributes.volume, 25, 'the refused values changed nothing');

  t.equal((await run('playerctl', ['-p', 'liveplayerd', 'volume', '0.5'], denv)).code, 0);
  t.equal(Number((await run('playerctl', ['-p', 'liveplayerd', 'volume'], denv)).stdout), 0.5, 'playerctl reads 0.5 back');
  t.equal((await d.api('GET', '/api/v1/player')).body.attributes.volume, 50, 'MPRIS 0.5 is volume 50');
  await ratio('playerctl volume 0.5', 0.5);

  t.equal((await gset(denv, 'Volume', '<75>')).code, 0);
  t.same(await bget(denv, 'Volume'), { type: 'i', data: 75 });
  await ratio('gdbus Volume = 75', 0.75);
  t.equal(errorName(await gset(denv, 'Volume', '<140>')), 'org.liveplayerd.Error.InvalidArgument');
  t.same(await bget(denv, 'Volume'), { type: 'i', data: 75 }, 'D-Bus refusal changed nothing');

  await d.api('POST', '/api/v1/player/mute');
  const muted = await level();
  t.ok(muted.bytes > 0 && muted.nonZero === 0, `mute writes silence (${muted.bytes} bytes, ${muted.nonZero} non-zero)`);
  const view = (await d.api('GET', '/api/v1/player')).body;
  t.same([view.attributes.muted, view.attributes.volume], [true, 75], 'muting keeps the level');
  t.equal(Number((await run('playerctl', ['-p', 'liveplayerd', 'volume'], denv)).stdout), 0.75, 'and MPRIS still reads it');
  await d.api('PATCH', '/api/v1/player', { muted: false });
  await ratio('unmuted: back at 75', 0.75);
  await d.api('PATCH', '/api/v1/player', { volume: 100 });
  const last = await level();
  const full = Math.max(first.rms, last.rms);
  t.comment(`level at 100: ${first.rms.toFixed(4)} first, ${last.rms.toFixed(4)} last`);
  for (const m of measured) {
    const r = m.rms / full;
    t.ok(Math.abs(r - m.want) < 0.08, `${m.what}: level ${r.toFixed(3)} of full, want ${m.want} (rms ${m.rms.toFixed(4)})`);
  }
  t.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing', 'no restart, no reconnect along the way');
  t.notOk(sub.codes().includes(2103), 'no reconnect');
});

t.test('volume is persisted across a restart, with muted kept apart', { timeout: 60000 }, async (t) => {
  const d = await startDaemon();
  t.teardown(() => d.stop());
  await d.api('PATCH', '/api/v1/player', { volume: 40, muted: true });
  await sleep(600);
  const stateDir = d.stateDir;
  await d.kill('SIGTERM');
  const again = await startDaemon({ stateDir });
  t.teardown(() => again.stop());
  const a = (await again.api('GET', '/api/v1/player')).body.attributes;
  t.same([a.volume, a.muted], [40, true]);
});

// The last frame stays on screen while the player reconnects, so the class
// sees the lesson paused, not a black screen: the real daemon plays an ffmpeg
// testsrc2 stream from nginx-rtmp through the fault proxy; the test cuts the
// connection and refuses new ones, takes `stream` and `view` snapshots while
// the state is `reconnecting`, and checks the `stream` ones hold the last
// picture (not black, testsrc2 colours, the same frame each time since
// nothing new is decoded) and the `view` one what the sink shows: on the fake
// sink the TV's words over that picture, dimmed; then lets the player back
// in and waits for 2004, after which the picture moves again.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import t, { type Test } from 'tap';
import { startDaemon, type RunningDaemon } from '../../helpers/daemon';
import { startFaultProxy } from '../../helpers/fault-proxy';
import { publishedStream } from '../../helpers/media-servers';
import { sleep } from '../../helpers/time';

interface Picture {
  width: number;
  height: number;
  data: Buffer;
}

/** Mean luma, the share of strongly coloured pixels and how many of six hue sectors hold at least 1% of them. */
function look(p: Picture): { luma: number; colourful: number; hues: number } {
  let luma = 0;
  let colourful = 0;
  const sectors = new Array<number>(6).fill(0);
  const n = p.width * p.height;
  for (let i = 0; i < n; i++) {
    const r = p.data[i * 4]!;
    const g = p.data[i * 4 + 1]!;
    const b = p.data[i * 4 + 2]!;
    luma += 0.299 * r + 0.587 * g + 0.114 * b;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    if (max - min < 100) continue;
    colourful += 1;
    const d = max - min;
    const h = max === r ? ((g - b) / d + 6) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    sectors[Math.floor(h) % 6]! += 1;
  }
  return { luma: luma / n, colourful: colourful / n, hues: sectors.filter((s) => s > n * 0.01).length };
}

/** Share of bytes that differ by more than 8 between two pictures of the same size. */
function difference(a: Picture, b: Picture): number {
  if (a.width !== b.width || a.height !== b.height) return 1;
  let diff = 0;
  for (let i = 0; i < a.data.length; i++) if (Math.abs(a.data[i]! - b.data[i]!) > 8) diff += 1;
  return diff / a.data.length;
}

async function snapshot(tt: Test, d: RunningDaemon, sourceType: 'stream' | 'view', what: string): Promise<Picture> {
  const r = await d.api('POST', '/api/v1/player/snapshot', { quality: 'raw', sourceType });
  tt.equal(r.body.errMsg, 'snapshot:ok', `${what}: ${JSON.stringify(r.body)}`);
  const file = path.join(d.stateDir, 'snapshots', path.basename(String(r.body.tempImagePath)));
  const png = PNG.sync.read(readFileSync(file));
  tt.same([png.width, png.height], [r.body.width, r.body.height], `${what}: the file is the size the answer says`);
  return png;
}

function lastPicture(tt: Test, p: Picture, what: string): void {
  const l = look(p);
  tt.ok(l.luma > 40, `${what}: not black (mean luma ${l.luma.toFixed(0)})`);
  tt.ok(l.colourful > 0.2 && l.hues >= 4, `${what}: testsrc2 colours (${(l.colourful * 100).toFixed(0)}% strongly coloured, ${l.hues} of 6 hue sectors)`);
}

t.test('snapshots during reconnection show the last frame; 2004 when the stream is back', { timeout: 120000 }, async (tt) => {
  const { server: nginx } = await publishedStream(tt, { server: 'nginx', name: 'lf', pub: { width: 640, height: 360, fps: 25, gopSeconds: 1 }, waitMs: 20000 });
  const proxy = await startFaultProxy({ targetPort: nginx.port });
  tt.teardown(() => proxy.stop());
  const d = await startDaemon({ args: ['--reconnect-attempts', '10', '--reconnect-interval', '1'] });
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  tt.equal((await d.api('PATCH', '/api/v1/player', { src: proxy.via(nginx.rtmpUrl('lf')) })).status, 200);
  tt.same((await d.api('POST', '/api/v1/player/play')).body, { errMsg: 'play:ok' });
  await sub.waitForCode(2004, 20000);
  await sleep(2000);
  const before = await snapshot(tt, d, 'stream', 'while playing');
  lastPicture(tt, before, 'while playing');

  const from = sub.events.length;
  proxy.refuseNew(true);
  proxy.cut();
  const dropped = await sub.waitForCode(2103, 10000, from);
  // Live mode holds minCache (1 s) of frames: they keep being decoded and shown
  // for up to that long after the cut. Judge the picture once they are out.
  await sleep(1500);
  const frozen: Picture[] = [];
  for (let i = 0; i < 2; i++) {
    await sleep(700);
    tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'reconnecting', 'still reconnecting');
    frozen.push(await snapshot(tt, d, 'stream', `reconnecting, stream snapshot ${i + 1}`));
  }
  const view = await snapshot(tt, d, 'view', 'reconnecting, view snapshot');
  tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'reconnecting', 'the snapshots were taken while reconnecting');
  tt.ok(proxy.counters.refused >= 1, `reconnection attempts refused meanwhile: ${proxy.counters.refused}`);
  for (const [i, p] of frozen.entries()) lastPicture(tt, p, `reconnecting ${i + 1}`);
  // The sink shows the TV's words over the last picture, dimmed (tv/words-in-stream reads them).
  const shown = look(view).luma;
  const last = look(frozen[0]!).luma;
  tt.ok(shown > last * 0.2 && shown < last * 0.6, `reconnecting, view: the last picture dimmed under the words (mean luma ${shown.toFixed(0)} against ${last.toFixed(0)})`);
  // Nothing is decoded while reconnecting, so a stream snapshot reads the picture the sink showed: the picture as rendered.
  tt.same([frozen[0]!.width, frozen[0]!.height], [view.width, view.height], 'while reconnecting a stream snapshot is the picture as shown, at its size');
  const still = difference(frozen[0]!, frozen[1]!);
  tt.equal(still, 0, `the same frame twice, 700 ms apart: nothing new is shown, the last frame stays (${(still * 100).toFixed(2)}% differ)`);

  proxy.refuseNew(false);
  await sub.waitForCode(2004, 20000, sub.events.indexOf(dropped));
  tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing');
  await sleep(1000);
  const after = await snapshot(tt, d, 'stream', 'after 2004');
  lastPicture(tt, after, 'after 2004');
  const moved = difference(frozen[1]!, after);
  tt.ok(moved > 0.001, `the picture moves again after 2004 (${(moved * 100).toFixed(2)}% of bytes differ from the frozen frame)`);
});

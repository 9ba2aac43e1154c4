// The readers against the servers the daemon must support, with a real
// ffmpeg publisher: nginx-rtmp (no GOP cache), node-media-server over RTMP
// and HTTP-FLV (GOP cache). Each plays: connected → started → a key frame →
// tags flowing in real time with monotonic timestamps; then the publisher
// stops and each server's way of saying so becomes `ended` (2006).
import t, { type Test } from 'tap';
import { type Managed, publishedStream } from '../../helpers/media-servers';
import { Recorder } from '../../helpers/reader-recorder';

const FPS = 25;
const GOP_SECONDS = 1;
const PUBLISHER = { fps: FPS, gopSeconds: GOP_SECONDS, width: 640, height: 360, bitrateKbps: 800, audio: true, audioKbps: 64 };
const WATCH_MS = 3000;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Plays `url` for WATCH_MS after the first key frame and checks what a player relies on. */
async function playsWell(tt: Test, label: string, url: string, keyFrameWithinMs: number): Promise<Recorder> {
  const r = new Recorder(url).start();
  tt.teardown(() => r.close());
  await r.waitFor(() => r.firstKeyFrame() !== undefined || r.finished, keyFrameWithinMs, `${label}: first key frame`);
  const kf = r.firstKeyFrame();
  tt.ok(kf, `key frame within ${keyFrameWithinMs} ms`);
  tt.ok(r.connected && r.startedAt !== null, 'connected and started');
  tt.same(r.order.slice(0, 3), ['connected', 'started', 'tag'], 'connected, then started, then tags');
  tt.ok(r.connected!.ms > 0 && r.connected!.ms < 2000, `connected in ${r.connected!.ms.toFixed(1)} ms`);
  tt.ok(r.tags[0].at >= r.startedAt!, 'no tag before started()');
  const kfAt = kf!.at;
  await new Promise((res) => setTimeout(res, WATCH_MS));
  tt.equal(r.finished, false, `still playing: ${r.summary()}`);

  const after = r.tags.filter((x) => x.at > kfAt);
  const video = after.filter((x) => x.tag.type === 9);
  const audio = after.filter((x) => x.tag.type === 8);
  // Real time (-re): about FPS frames a second. Allowed on top: a cached GOP sent at
  // once, and a GOP of catch-up when a loaded machine slowed the publisher.
  const expected = (FPS * WATCH_MS) / 1000;
  const slack = 2 * FPS * GOP_SECONDS;
  tt.ok(video.length >= expected * 0.7 && video.length <= expected + slack, `${video.length} video tags in ${WATCH_MS} ms (≈${expected})`);
  tt.ok(audio.length >= 50, `${audio.length} audio tags flow too`);
  for (const type of [8, 9] as const) {
    const ts = r.tags.filter((x) => x.tag.type === type).map((x) => x.tag.timestamp);
    const back = ts.findIndex((v, i) => i > 0 && v < ts[i - 1]);
    tt.equal(back, -1, `type ${type} timestamps never go back (${ts.length} tags, ${ts[0]}..${ts[ts.length - 1]} ms)`);
  }
  const span = video[video.length - 1].tag.timestamp - video[0].tag.timestamp;
  tt.ok(span > WATCH_MS * 0.6 && span < WATCH_MS + 2000 * GOP_SECONDS, `video timestamps advance with the clock (${span} ms over ${WATCH_MS} ms)`);
  const keyFrames = r.tags.filter((x) => x.at >= kfAt && x.tag.type === 9 && x.tag.data[0] >> 4 === 1 && x.tag.data[1] === 1);
  tt.ok(keyFrames.length >= Math.floor(WATCH_MS / 1000 / GOP_SECONDS) - 1, `${keyFrames.length} key frames (GOP ${GOP_SECONDS} s)`);
  tt.ok(r.bytes > after.reduce((n, x) => n + x.tag.data.length, 0), 'bytes() counts at least every tag body');
  tt.comment(`${label}: connected ${r.connected!.at.toFixed(1)} ms, started ${r.startedAt!.toFixed(1)} ms, first key frame ${kfAt.toFixed(1)} ms after start()`);
  return r;
}

/** Stops the publisher gracefully and expects every recorder to end (2006) with `detail`. */
async function endsWhenPublisherStops(tt: Test, pub: Managed, readers: Array<{ r: Recorder; detail: RegExp }>): Promise<void> {
  for (const { r } of readers) await r.waitFor(() => r.tags.length >= 20, 5000, `${r.url}: tags before the stop`);
  await pub.stop();
  for (const { r, detail } of readers) {
    await r.waitFor(() => r.finished, 5000, `${r.url}: end after the publisher stopped`);
    tt.equal(r.failure, null, `${r.url}: no failure (${r.failure?.detail ?? ''})`);
    tt.match(r.ended?.detail, detail, `${r.url}: ended — ${r.ended?.detail}`);
  }
}

/** Five fresh readers, one after the other at spread GOP phases: time from start() to the first key-frame tag. */
async function timeToKeyFrame(tt: Test, label: string, url: string): Promise<number[]> {
  const times: number[] = [];
  const afterConnect: number[] = [];
  for (let i = 0; i < 5; i++) {
    // Spread the starts over a GOP: a run started right after the previous run's
    // key frame would otherwise always wait a whole GOP on a server without a cache.
    await new Promise((res) => setTimeout(res, (i * GOP_SECONDS * 1000) / 5));
    const r = new Recorder(url).start();
    await r.waitFor(() => r.firstKeyFrame() !== undefined || r.finished, 3000, `${label}: key frame #${i}`).finally(() => r.close());
    times.push(r.firstKeyFrame()!.at);
    afterConnect.push(r.firstKeyFrame()!.at - r.connected!.at);
  }
  const list = (xs: number[]): string => `${xs.map((x) => x.toFixed(1)).join(', ')} ms (median ${median(xs).toFixed(1)})`;
  tt.comment(`${label}: start() → first key frame: ${list(times)}; connected() → first key frame: ${list(afterConnect)}`);
  return times;
}

t.test('nginx-rtmp over RTMP (no GOP cache)', async (tt) => {
  const { server: nginx, publisher: pub } = await publishedStream(tt, { server: 'nginx', name: 's', pub: PUBLISHER });
  // Without a GOP cache the first key frame is the next one the publisher sends: up to a GOP away.
  const r = await playsWell(tt, 'nginx-rtmp RTMP', nginx.rtmpUrl('s'), GOP_SECONDS * 1000 + 1500);
  const times = await timeToKeyFrame(tt, 'nginx-rtmp RTMP', nginx.rtmpUrl('s'));
  tt.ok(Math.max(...times) < GOP_SECONDS * 1000 + 1000, 'key frame never later than one GOP (+ margin)');
  // nginx-rtmp (publish_notify off, its default) says only User Control StreamEOF and keeps the socket open.
  await endsWhenPublisherStops(tt, pub, [{ r, detail: /^StreamEOF \(user control event 1\)/ }]);
});

t.test('node-media-server over RTMP and HTTP-FLV (GOP cache)', async (tt) => {
  const { server: nms, publisher: pub } = await publishedStream(tt, { server: 'nms', name: 's', pub: PUBLISHER });
  // Wait for a second GOP so the cache holds a full one, as in service.
  await new Promise((res) => setTimeout(res, GOP_SECONDS * 1000));
  const rtmp = await playsWell(tt, 'node-media-server RTMP', nms.rtmpUrl('s'), 1500);
  const flv = await playsWell(tt, 'node-media-server HTTP-FLV', nms.flvUrl('s'), 1500);
  for (const [label, url] of [['node-media-server RTMP', nms.rtmpUrl('s')], ['node-media-server HTTP-FLV', nms.flvUrl('s')]]) {
    const times = await timeToKeyFrame(tt, label, url);
    // The cached GOP starts with a key frame, sent right after play: no wait for the publisher.
    tt.ok(median(times) < 250, `${label}: key frame straight from the GOP cache (median ${median(times).toFixed(1)} ms)`);
  }
  // RTMP: NetStream.Play.UnpublishNotify; HTTP-FLV: the chunked body ends (res.end()).
  await endsWhenPublisherStops(tt, pub, [
    { r: rtmp, detail: /^NetStream\.Play\.UnpublishNotify/ },
    { r: flv, detail: /ended cleanly \(chunked terminator/ },
  ]);
});

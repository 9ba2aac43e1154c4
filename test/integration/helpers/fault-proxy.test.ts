// The fault proxy does what the degradation tests rely on: through it, a real
// node-media-server + ffmpeg stream read by the project's own reader is
// unchanged in pass-through, and each fault leaves the trace it should
// (corrupt payloads ffmpeg cannot decode, timestamp gaps, a lower rate, a
// wider spread of arrivals, a silence, a 3005 failure, a refused reader).
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy';
import { publishedStream } from '../../helpers/media-servers';
import { collect, ffmpegDecodeErrors, maxStep, media, rateKbps, recordHttp, transitSpread, type Collector } from '../../helpers/tag-collector';
import { sleep } from '../../helpers/time';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fault-proxy-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

let flvUrl = '';
let rtmpUrl = '';
let httpPort = 0;
let rtmpPort = 0;

t.before(async () => {
  const { server: nms } = await publishedStream(t, { server: 'nms', name: 's', waitOn: 'flv' });
  flvUrl = nms.flvUrl('s');
  rtmpUrl = nms.rtmpUrl('s');
  httpPort = nms.httpPort;
  rtmpPort = nms.rtmpPort;
});

/** A fresh proxy to the HTTP-FLV (or RTMP) port, stopped at the end of the test. */
async function proxyFor(tt: Test, proto: 'http' | 'rtmp' = 'http'): Promise<{ proxy: FaultProxy; url: string }> {
  const proxy = await startFaultProxy({ targetPort: proto === 'http' ? httpPort : rtmpPort });
  tt.teardown(() => proxy.stop());
  return { proxy, url: proxy.via(proto === 'http' ? flvUrl : rtmpUrl) };
}

function reading(tt: Test, url: string): Collector {
  const c = collect(url);
  tt.teardown(() => c.stop());
  return c;
}

/** Tags of `type` whose bytes differ from the tag with the same timestamp and size read directly. */
function differing(direct: Collector, proxied: Collector, type: 8 | 9): { compared: number; differ: number } {
  const byKey = new Map<string, Buffer>();
  for (const a of direct.tags) byKey.set(`${a.tag.type}:${a.tag.timestamp}:${a.tag.data.length}`, a.tag.data);
  let compared = 0;
  let differ = 0;
  for (const a of proxied.tags.filter((x) => x.tag.type === type)) {
    const d = byKey.get(`${a.tag.type}:${a.tag.timestamp}:${a.tag.data.length}`);
    if (!d) continue;
    compared += 1;
    if (!d.equals(a.tag.data)) differ += 1;
  }
  return { compared, differ };
}

t.test('pass-through delivers the tags unchanged, HTTP-FLV and RTMP', async (tt) => {
  const { proxy, url } = await proxyFor(tt);
  const direct = reading(tt, flvUrl);
  const via = reading(tt, url);
  await sleep(3000);
  tt.equal(via.failure, null, 'no failure');
  tt.ok(media(via, 9).length > 40 && media(via, 8).length > 40, `video ${media(via, 9).length} and audio ${media(via, 8).length} tags`);
  const v = differing(direct, via, 9);
  const a = differing(direct, via, 8);
  tt.ok(v.compared > 40 && a.compared > 40, `compared ${v.compared} video, ${a.compared} audio tags`);
  tt.equal(v.differ + a.differ, 0, 'no tag differs from the direct read');
  tt.equal(proxy.counters.tags.flvBodies, 1, 'the body was handled tag by tag (chunked HTTP-FLV)');
  tt.equal(proxy.counters.tags.tagsFlipped + proxy.counters.tags.tagsDropped, 0);
  const rtmp = await proxyFor(tt, 'rtmp');
  const r = reading(tt, rtmp.url);
  await sleep(2000);
  tt.equal(r.failure, null, 'RTMP through the proxy: no failure');
  tt.ok(media(r, 9).length > 20, `RTMP: ${media(r, 9).length} video tags`);
  tt.equal(rtmp.proxy.counters.tags.flvBodies, 0, 'RTMP is not rewritten');
});

for (const [name, type, other] of [['video', 9, 8], ['audio', 8, 9]] as const) {
  t.test(`flipBytes ${name}: only ${name} payloads change, the stream parses, ffmpeg reports decode errors`, async (tt) => {
    const { proxy, url } = await proxyFor(tt);
    proxy.flipBytes({ tagType: type, every: 2, count: type === 9 ? 16 : 6 });
    const direct = reading(tt, flvUrl);
    const via = reading(tt, url);
    await sleep(3000);
    tt.equal(via.failure, null, 'tampered stream still parses');
    const mine = differing(direct, via, type);
    const theirs = differing(direct, via, other);
    tt.ok(mine.compared > 20 && mine.differ > 5, `${mine.differ} of ${mine.compared} ${name} tags differ`);
    tt.ok(theirs.compared > 20, `compared ${theirs.compared} other tags`);
    tt.equal(theirs.differ, 0, 'the other tag type is untouched');
    tt.ok(proxy.counters.tags.tagsFlipped >= mine.differ, `counter: ${proxy.counters.tags.tagsFlipped} tags flipped`);
    const clean = path.join(tmp, `clean-${name}.flv`);
    const bad = path.join(tmp, `bad-${name}.flv`);
    proxy.flipBytes(null);
    await recordHttp(url, clean, 4000);
    proxy.flipBytes({ tagType: type, every: 2, count: type === 9 ? 16 : 6 });
    await recordHttp(url, bad, 4000);
    const cleanErrors = ffmpegDecodeErrors(clean);
    const badErrors = ffmpegDecodeErrors(bad);
    tt.ok(badErrors.length > cleanErrors.length + 3, `decode errors: ${badErrors.length} tampered vs ${cleanErrors.length} clean\n${badErrors.slice(0, 5).join('\n')}`);
  });
}

t.test('dropTags video makes timestamp gaps, key frames kept; shiftTimestamps makes a jump', async (tt) => {
  const { proxy, url } = await proxyFor(tt);
  const base = reading(tt, url);
  await sleep(2000);
  base.stop();
  const baseStep = maxStep(media(base, 9).map((a) => a.tag.timestamp));
  proxy.dropTags({ tagType: 9, every: 2 });
  const via = reading(tt, url);
  await sleep(3000);
  tt.equal(via.failure, null, 'stream still parses');
  const video = media(via, 9);
  const step = maxStep(video.map((a) => a.tag.timestamp));
  tt.ok(baseStep <= 60 && step >= 2 * baseStep, `max video timestamp step ${step} ms (pass-through ${baseStep} ms)`);
  tt.ok(video.filter((a) => a.tag.data[0]! >> 4 === 1).length >= 2, 'key frames still arrive');
  tt.ok(proxy.counters.tags.tagsDropped > 20, `counter: ${proxy.counters.tags.tagsDropped} tags dropped`);
  tt.ok(maxStep(media(via, 8).map((a) => a.tag.timestamp)) <= 60, 'audio has no gap');
  proxy.resume();
  proxy.shiftTimestamps({ afterMs: 1000, jumpMs: 5000 });
  const jump = reading(tt, url);
  await sleep(2500);
  const jumpStep = maxStep(media(jump, 9).map((a) => a.tag.timestamp));
  tt.ok(jumpStep >= 4900, `video timestamps jump by ${jumpStep} ms`);
  tt.ok(proxy.counters.tags.tagsShifted > 10, `counter: ${proxy.counters.tags.tagsShifted} tags shifted`);
});

t.test('throttle(300) brings the received rate to about 300 kbps', async (tt) => {
  const { proxy, url } = await proxyFor(tt);
  const free = reading(tt, url);
  await sleep(4000);
  free.stop();
  const freeRate = rateKbps(free, 1500, 4000);
  proxy.throttle(300);
  const slow = reading(tt, url);
  await sleep(5000);
  const rate = rateKbps(slow, 1000, 5000);
  tt.ok(freeRate > 600, `unthrottled ${freeRate.toFixed(0)} kbps`);
  tt.ok(rate > 240 && rate < 360, `throttled ${rate.toFixed(0)} kbps (300 ± 20%)`);
});

t.test('jitter widens the spread of arrival times, the mean rate stays', async (tt) => {
  const { proxy, url } = await proxyFor(tt);
  const even = reading(tt, url);
  await sleep(4500);
  even.stop();
  proxy.jitter({ minMs: 0, maxMs: 1000 });
  const uneven = reading(tt, url);
  // 5 s, so that the delay's net change across the window (at most the
  // range, 1 s) moves the count by at most a fifth.
  await sleep(6500);
  const e = media(even, 9, 1500, 4500).length * (5 / 3);
  const u = media(uneven, 9, 1500, 6500);
  const se = transitSpread(media(even, 9, 1500, 4500));
  const su = transitSpread(u);
  tt.ok(su > 120 && su > 1.5 * se, `spread of arrival against timestamp ${su.toFixed(1)} ms with jitter, ${se.toFixed(1)} ms without`);
  tt.ok(Math.abs(u.length - e) <= 0.25 * e, `video tags in 5 s: ${u.length} with jitter, ${e.toFixed(0)} without (3 s scaled)`);
  tt.ok(proxy.counters.down.chunksDelayed > 50, `counter: ${proxy.counters.down.chunksDelayed} chunks delayed`);
});

t.test('stall stops the tags for its time (buffer and drop modes)', async (tt) => {
  const { proxy, url } = await proxyFor(tt);
  const c = reading(tt, url);
  await sleep(2000);
  proxy.stall(2000);
  await sleep(3500);
  const gap = maxStep(c.tags.filter((a) => a.at > 1500).map((a) => a.at));
  tt.ok(gap >= 1800 && gap < 2600, `arrival gap ${gap.toFixed(0)} ms for a 2000 ms stall`);
  tt.ok(media(c, 9, 4300).length > 10, 'tags flow again after the stall');
  proxy.stall(1500, { mode: 'drop' });
  const dropFrom = c.now();
  await sleep(3000);
  tt.equal(c.failure, null, 'stream still parses after a dropping stall');
  // From just before the stall, so the step across it is seen.
  const after = media(c, 9, dropFrom - 300);
  const lost = maxStep(after.map((a) => a.tag.timestamp));
  tt.ok(lost >= 1300, `tags arriving during the drop stall are lost (timestamp gap ${lost} ms)`);
  tt.ok(proxy.counters.tags.tagsDropped > 20, `counter: ${proxy.counters.tags.tagsDropped} tags dropped`);
  proxy.stall('forever');
  const since = c.now();
  await sleep(1500);
  tt.equal(c.tags.filter((a) => a.at > since + 50).length, 0, "stall('forever') forwards nothing");
  proxy.resume();
  await sleep(1000);
  tt.ok(c.tags.filter((a) => a.at > since + 50).length > 10, 'resume() releases the stream');
});

t.test('cut makes the reader fail (RST and FIN): 3005 on RTMP, an HTTP-FLV read failure on HTTP-FLV', async (tt) => {
  for (const proto of ['http', 'rtmp'] as const) {
    for (const how of ['reset', 'fin'] as const) {
      const { proxy, url } = await proxyFor(tt, proto);
      const c = reading(tt, url);
      await sleep(1500);
      tt.equal(proxy.cut(how), 1, `${proto} ${how}: one connection cut`);
      const f = await Promise.race([c.finished, sleep(3000).then(() => 'timeout' as const)]);
      const want = proto === 'rtmp' ? 3005 : null;
      tt.equal(f === 'timeout' ? 'timeout' : f?.code, want, `${proto} ${how}: ${want} expected (the body had started), got ${JSON.stringify(f)}`);
      if (proto === 'http' && f !== 'timeout') tt.match(f?.detail, /^HTTP-FLV: /, `${proto} ${how}: says HTTP-FLV`);
    }
  }
});

t.test('refuseNew makes a new reader fail; resume lets it in again', async (tt) => {
  const { proxy, url } = await proxyFor(tt);
  proxy.refuseNew(true);
  const c = reading(tt, url);
  const f = await Promise.race([c.finished, sleep(5000).then(() => 'timeout' as const)]);
  tt.ok(f !== 'timeout' && f !== null, `new reader failed: ${JSON.stringify(f)}`);
  tt.equal(c.tags.length, 0, 'no tag');
  tt.equal(proxy.counters.refused, 1);
  proxy.resume();
  const ok = reading(tt, url);
  await sleep(1500);
  tt.ok(media(ok, 9).length > 5, 'after resume() a reader gets tags');
});

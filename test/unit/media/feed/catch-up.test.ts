// The pure parts of modes and caches: the policy per mode, when a catch-up
// is decided and how big it is, the live-edge estimate behind liveDelay, the
// PTS read from identity's last-message, and the FeedGate's cut (what it
// drops and that the output timeline moves back by exactly the cut).
import t from 'tap';
import { CatchUpDecider, cachePolicy } from '../../../../src/media/feed/catch-up';
import { EdgeEstimate, LiveDelayMeter, ptsFromLastMessage } from '../../../../src/media/feed/live-delay';
import { FeedGate } from '../../../../src/media/feed/feed-gate';
import type { FlvTag } from '../../../../src/media/types';

t.test('cache policy per mode', async (t) => {
  t.same(cachePolicy('live', 1, 3), { latencyMs: 1000, ceilingMs: 3000, targetMs: 1500 }, 'spec defaults: floor 1 s, ceiling 3 s');
  t.same(cachePolicy('live', 0, 0), { latencyMs: 0, ceilingMs: 300, targetMs: 150 }, 'zero caches keep room to cut');
  t.same(cachePolicy('rtc', 1, 3), { latencyMs: 0, ceilingMs: 800, targetMs: 200 }, 'RTC: no added latency, 0.8 s ceiling');
  t.equal(cachePolicy('rtc', 0.1, 0.5).ceilingMs, 500, 'RTC honours a lower maxCache');
});

t.test('catch-up decision', async (t) => {
  const d = new CatchUpDecider(cachePolicy('live', 1, 3));
  t.equal(d.update(2900, 0), null, 'under the ceiling: nothing');
  t.equal(d.update(4800, 1000), null, 'first tick over: wait one more');
  t.equal(d.update(2000, 2000), null, 'back under: the count starts over');
  t.equal(d.update(4800, 3000), null);
  t.same(d.update(4800, 4000), { skipMs: 3300, delayMs: 4800 }, 'second tick over: cut to the target (1.5 s)');
  t.equal(d.update(4800, 5000), null, 'quiet while the cut is carried out');
  t.equal(d.update(4800, 10200), null, 'still quiet: 3.3 s to drop the stretch + 3 s settle');
  t.equal(d.update(4800, 10400), null, 'judging again: first tick over');
  t.same(d.update(4800, 11400), { skipMs: 3300, delayMs: 4800 });
  t.equal(d.update(null, 20000), null, 'no measurement: nothing');
  d.reset();
  t.equal(d.update(5000, 20001), null, 'reset: quiet period gone, counting from zero');
});

t.test('edge estimate: sliding minimum of transit', async (t) => {
  const e = new EdgeEstimate();
  t.ok(Number.isNaN(e.minTransit));
  e.add(0, 500);
  e.add(10, 20);
  e.add(20, 300);
  t.equal(e.minTransit, 20);
  e.add(40000, 100);
  t.equal(e.minTransit, 100, 'a minimum older than 30 s is forgotten');
});

t.test('live delay of the frame on screen', async (t) => {
  const m = new LiveDelayMeter();
  // A GOP-cache burst: frames 0..960 arrive together at 1000, then live frames with transit 40.
  for (let ts = 0; ts <= 960; ts += 40) {
    m.onArrival(ts, 1000);
    m.onPushed(ts, ts);
  }
  for (let ts = 1000; ts <= 3000; ts += 40) {
    m.onArrival(ts, ts + 40);
    m.onPushed(ts, ts);
  }
  t.equal(m.delayAt(-1, 3000), null, 'nothing pushed at that output time');
  t.same(m.delayAt(500, 3040), { inTs: 480, delayMs: 3040 - (480 + 40) }, 'shown frame 480 (last at or before 500), edge transit 40');
  m.discontinuity();
  // After a reconnect the output timeline continues (3040) while the input restarts at 0.
  m.onArrival(0, 5000);
  m.onPushed(0, 3040);
  t.same(m.delayAt(3040, 5100), { inTs: 0, delayMs: 100 }, 'new connection, own edge');
  t.same(m.delayAt(3000, 5100), { inTs: 3000, delayMs: 5100 - 3040 }, 'frames of the old connection keep their edge');
});

t.test('PTS from identity last-message', async (t) => {
  const chain = 'chain   ******* (vdecout:sink) (614400 bytes, dts: none, pts: 0:00:01.240000000, duration: 0:00:00.040000000, offset: 0, flags: 00000040 discont , meta: none) 0x5642b351e5a0';
  t.equal(ptsFromLastMessage(chain), 1240);
  t.equal(ptsFromLastMessage(chain.replace('0:00:01.24', '1:02:03.04')), 3723040);
  t.equal(ptsFromLastMessage('event   ******* (vdecout:sink) E (type: segment (17934), ...)'), null, 'events carry no frame');
  t.equal(ptsFromLastMessage(chain.replace(/pts: [^,]+/, 'pts: none')), null);
  t.equal(ptsFromLastMessage(undefined), null);
});

const video = (ts: number, key: boolean): FlvTag => ({ type: 9, timestamp: ts, data: Buffer.from([key ? 0x17 : 0x27, 1, 0, 0, 0, 0, 0, 0, 1, 0x65]) });
const audio = (ts: number): FlvTag => ({ type: 8, timestamp: ts, data: Buffer.from([0xaf, 1, 0x21, 0x10]) });

t.test('FeedGate cut: keeps the newest GOP of the stretch and resumes there without a gap', async (t) => {
  const g = new FeedGate();
  const out: { in: number; out: number; type: number }[] = [];
  const feed = (tag: FlvTag) => {
    const r = g.accept(tag);
    if (!r) return;
    if (tag.type === 8) out.push({ in: tag.timestamp, out: r.ts, type: 8 });
    for (const f of r.frames) out.push({ in: f.inTs, out: f.outTs, type: 9 });
  };
  // 1 s GOP at 25 fps with audio every 40 ms.
  const stream = (from: number, to: number) => {
    for (let ts = from; ts < to; ts += 40) {
      feed(video(ts, ts % 1000 === 0));
      feed(audio(ts));
    }
  };
  stream(0, 2000);
  t.equal(g.catchingUp, false);
  const before = out.length;
  g.skip(1500);
  t.equal(g.catchingUp, true);
  stream(2000, 3480);
  t.equal(out.length, before, 'nothing passes while the stretch 2000-3500 is cut');
  stream(3480, 3560);
  const video9 = out.slice(before).filter((x) => x.type === 9);
  t.equal(video9[0]!.in, 3000, 'resumes at the key frame of the newest GOP begun in the stretch');
  t.equal(video9[0]!.out, 2000, 'shifted back by exactly the 1000 ms dropped before it: no gap after 1960');
  t.ok(video9.length >= 13, `the kept GOP is released at once (${video9.length} frames)`);
  stream(3560, 6000);
  const after = out.slice(before);
  t.ok(after.every((x) => x.out === x.in - 1000), 'every later tag keeps the shift');
  const outs = out.filter((x) => x.type === 9).map((x) => x.out);
  t.ok(outs.every((v, i) => i === 0 || v - outs[i - 1]! === 40), 'video output timestamps step by one frame everywhere: no freeze');
  t.equal(g.catchingUp, false, 'done once the key frame went through');

  const n = out.length;
  g.skip(500);
  stream(6000, 7040);
  const next = out.slice(n).filter((x) => x.type === 9);
  t.same(next[0], { in: 7000, out: 6500 - 1000, type: 9 }, 'a GOP longer than the cut: exactly the cut, from the next key frame');
  g.skip(500);
  g.discontinuity();
  t.equal(g.catchingUp, false, 'a reconnect cancels a pending cut');
});

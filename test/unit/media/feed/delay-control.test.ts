// DelayControl joins the measures to a real FeedGate and to identity
// last-message lines as GStreamer 1.22 prints them: caches, live delay, and
// the cut it asks the gate for (only while the picture plays).
import t from 'tap';
import { cachePolicy } from '../../../../src/media/feed/catch-up';
import { DelayControl } from '../../../../src/media/feed/delay-control';
import { FeedGate } from '../../../../src/media/feed/feed-gate';
import type { FlvTag } from '../../../../src/media/types';

const video = (timestamp: number, key = false): FlvTag => ({ type: 9, timestamp, data: Buffer.from([key ? 0x17 : 0x27, 1, 0, 0, 0, 0, 0, 0, 1, 0x41]) });
const audio = (timestamp: number): FlvTag => ({ type: 8, timestamp, data: Buffer.from([0xaf, 1, 0x21]) });
const avcHeader: FlvTag = { type: 9, timestamp: 0, data: Buffer.from([0x17, 0, 0, 0, 0, 1, 66, 0, 31]) };
const aacHeader: FlvTag = { type: 8, timestamp: 0, data: Buffer.from([0xaf, 0, 0x12, 0x10]) };
const chain = (el: string, ms: number): string =>
  `chain   ******* (${el}:sink) (614400 bytes, dts: none, pts: 0:00:${(ms / 1000).toFixed(9).padStart(12, '0')}, duration: 0:00:00.040000000, offset: 0, flags: 00000040 discont , meta: none) 0x5642b351e5a0`;

function rig() {
  const gate = new FeedGate();
  const last: Record<string, unknown> = {};
  const dc = new DelayControl(cachePolicy('live', 1, 3), gate, (el) => last[el]);
  const feed = (tag: FlvTag, at: number) => {
    if (tag.type === 9 && tag.data[1] === 1) dc.onArrival(tag.timestamp, at);
    const out = gate.accept(tag);
    if (out) dc.onPushed(out.frames);
    return out;
  };
  return { gate, last, dc, feed };
}

t.test('caches: newest pushed minus the PTS leaving each decoder', async (t) => {
  const { last, dc, feed } = rig();
  t.same(dc.buffered(), { videoCache: 0, audioCache: 0 }, 'nothing pushed, nothing decoded');
  feed(avcHeader, 0);
  feed(aacHeader, 0);
  for (let ts = 0; ts <= 2000; ts += 40) {
    feed(video(ts, ts % 1000 === 0), ts);
    feed(audio(ts), ts);
  }
  t.same(dc.buffered(), { videoCache: 0, audioCache: 0 }, 'no decoded PTS yet: 0, not a guess');
  last.vdecout = chain('vdecout', 1000);
  last.adecout = chain('adecout', 1200);
  t.same(dc.buffered(), { videoCache: 1000, audioCache: 800 });
  last.vdecout = 'event   ******* (vdecout:sink) E (type: segment (3)';
  t.equal(dc.buffered().videoCache, 0, 'an event in last-message: no frame known');
});

t.test('live delay and the cut: asked of the gate only while playing', async (t) => {
  const { gate, last, dc, feed } = rig();
  feed(avcHeader, 0);
  // Frames arrive in real time (transit 0), the screen shows 5 s old ones.
  for (let ts = 0; ts <= 8000; ts += 40) feed(video(ts, ts % 1000 === 0), ts);
  last.vdecout = chain('vdecout', 3000);
  t.equal(dc.liveDelay(8000), 5000, 'shown 3.0 s at wall 8.0 s, edge transit 0');
  t.equal(dc.judge(5000, 8000, false), null, 'waiting for data: not judged');
  t.equal(dc.judge(5000, 9000, false), null);
  t.equal(dc.judge(5000, 10000, true), null, 'first tick over the ceiling');
  t.same(dc.judge(5000, 11000, true), { skipMs: 3500, delayMs: 5000 }, 'second: cut to 1.5 s');
  t.ok(gate.catchingUp, 'the gate was told');
  t.equal(dc.judge(9000, 12000, true), null, 'nothing more while the gate cuts');
  dc.discontinuity();
  t.equal(dc.liveDelay(12000), 9000, 'a new connection: the frame on screen keeps the edge of the one it came from');
});

t.test('FeedGate: a stream without video is taken as audio only after 3 s, and at once after a reconnect', async (t) => {
  const gate = new FeedGate();
  gate.accept(aacHeader);
  let passed = 0;
  for (let ts = 0; ts <= 3000; ts += 23) if (gate.accept(audio(ts))) passed++;
  t.equal(passed, 0, 'audio waits for a video key frame for 3 s');
  t.notOk(gate.audioOnlyStream);
  t.ok(gate.accept(audio(3024)), 'then it flows');
  t.ok(gate.audioOnlyStream, 'and the stream is audio only');
  gate.discontinuity();
  t.ok(gate.accept(audio(0)), 'a new connection: no second wait');
  t.ok(gate.accept(video(40, true)) && !gate.audioOnlyStream, 'video after all: no longer audio only');
});

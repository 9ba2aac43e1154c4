// The muxer that feeds appsrc: byte-exact round trip, timestamps carried
// across a reconnect, delta frames dropped until a key frame, and a real
// flvdemux/h264parse/avdec_h264 pipeline decoding the result.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parseFlv } from '../../../src/media/flv/parser';
import { isMediaFrame, isSequenceHeader, isVideoKeyFrame } from '../../../src/media/flv/tags';
import { FlvMuxer, type FlvMuxerOptions } from '../../../src/media/flv/writer';
import type { FlvTag } from '../../../src/media/types';
import { HD, makeFlv, readBytes, tempDir } from '../../helpers/ffmpeg-files';

function mux(connections: FlvTag[][], opts?: FlvMuxerOptions): { muxer: FlvMuxer; bytes: Buffer } {
  const muxer = new FlvMuxer(opts);
  const out: Buffer[] = [];
  connections.forEach((tags, i) => {
    if (i > 0) muxer.discontinuity();
    for (const tag of tags) {
      const b = muxer.write(tag);
      if (b) out.push(b);
    }
  });
  return { muxer, bytes: Buffer.concat(out) };
}

const shift = (tags: FlvTag[], ms: number): FlvTag[] => tags.map((x) => ({ ...x, timestamp: x.timestamp + ms }));
const videoFrames = (tags: FlvTag[]): FlvTag[] => tags.filter((x) => x.type === 9 && isMediaFrame(x));
/** What a server sends before the frames of a new connection: metadata and decoder configurations. */
const connectionHeaders = (tags: FlvTag[]): FlvTag[] => tags.filter((x) => x.type === 18 || isSequenceHeader(x));
/** A live connection that drops ends without ffmpeg's closing AVC end-of-sequence tag. */
const live = (tags: FlvTag[]): FlvTag[] => tags.filter((x) => x.type !== 9 || isMediaFrame(x) || isSequenceHeader(x));

/** Checks each track never steps back; returns the largest step between video frames. */
function checkMonotonic(t: Test, tags: FlvTag[]): void {
  for (const type of [8, 9]) {
    const ts = tags.filter((x) => x.type === type && isMediaFrame(x)).map((x) => x.timestamp);
    const back = ts.findIndex((v, i) => i > 0 && v < ts[i - 1]!);
    t.equal(back, -1, `track ${type} never steps back`);
  }
}

t.test('round trip: muxed bytes parse back to the same tags', async (t) => {
  const tags = parseFlv(readBytes(makeFlv(tempDir(t), { ...HD, seconds: 3 }))).tags;
  const { muxer, bytes } = mux([tags]);
  const back = parseFlv(bytes);
  t.same(back.header, { version: 1, hasAudio: true, hasVideo: true });
  t.equal(back.tags.length, tags.length);
  t.ok(back.tags.every((x, i) => x.type === tags[i]!.type && x.timestamp === tags[i]!.timestamp && x.data.equals(tags[i]!.data)), 'same type, timestamp, body');
  t.same(muxer.stats, { tagsOut: tags.length, bytesOut: bytes.length, dropped: 0, discontinuities: 0 });
  t.equal(mux([tags], { hasAudio: false }).bytes[4], 1, 'header flags follow the options');
});

t.test('a reconnect continues the timeline one frame after the last tag', async (t) => {
  const tags = parseFlv(readBytes(makeFlv(tempDir(t), { ...HD, seconds: 3 }))).tags;
  for (const restart of [0, 987_654, 40]) {
    const { muxer, bytes } = mux([shift(tags, 5_000_000), shift(tags, restart)]);
    const out = parseFlv(bytes).tags;
    t.equal(out.length, tags.length * 2);
    t.equal(out.filter(isMediaFrame)[0]!.timestamp, 0, 'the first connection starts at 0');
    checkMonotonic(t, out);
    const first = out.slice(0, tags.length);
    const second = out.slice(tags.length).filter(isMediaFrame);
    const lastBefore = Math.max(...first.map((x) => x.timestamp));
    const step = second[0]!.timestamp - lastBefore;
    t.ok(step >= 33 && step <= 34, `restart at ${restart}: gap ${step} ms is one frame at 30 fps`);
    const inSecond = tags.filter(isMediaFrame);
    const offsets = new Set(second.map((x, i) => x.timestamp - inSecond[i]!.timestamp));
    t.equal(offsets.size, 1, 'the new connection keeps its own spacing and A/V offset');
    t.equal(muxer.stats.discontinuities, 1);
  }
});

t.test('configuration tags stamped 0 before frames stamped far away do not set the offset', async (t) => {
  const tags = parseFlv(readBytes(makeFlv(tempDir(t), { ...HD, seconds: 1 }))).tags;
  const late = tags.map((x) => (isMediaFrame(x) ? { ...x, timestamp: x.timestamp + 600_000 } : x));
  const out = parseFlv(mux([tags, late]).bytes).tags;
  checkMonotonic(t, out);
  const max = Math.max(...out.map((x) => x.timestamp));
  t.ok(max < 2 * 1000 + 100, `timeline stays about 2 s long (last ${max} ms)`);
});

t.test('video delta frames are dropped until a key frame, only when asked', async (t) => {
  const tags = live(parseFlv(readBytes(makeFlv(tempDir(t), { ...HD, seconds: 4 }))).tags);
  const headers = connectionHeaders(tags);
  // The second connection joins mid-GOP: 10 video frames into it.
  const vf = videoFrames(tags);
  const joinAt = tags.indexOf(vf[10]!);
  const midGop = [...headers, ...tags.slice(joinAt)];
  const skippedDeltas = vf.slice(10).findIndex(isVideoKeyFrame);
  t.equal(skippedDeltas, 50, 'the test joins 50 frames before the next key frame');

  const dropping = mux([tags, midGop]);
  t.equal(dropping.muxer.stats.dropped, skippedDeltas);
  const out = parseFlv(dropping.bytes).tags;
  t.equal(out.filter((x) => x.type === 9 && !isMediaFrame(x)).length, 2, 'both sequence headers passed');
  const firstVideoAfter = videoFrames(out)[vf.length]!;
  t.ok(isVideoKeyFrame(firstVideoAfter), 'video resumes on a key frame');
  t.equal(out.filter((x) => x.type === 8).length, tags.filter((x) => x.type === 8).length + midGop.filter((x) => x.type === 8).length, 'audio never dropped');

  const keeping = mux([tags, midGop], { dropUntilKeyFrame: false });
  t.equal(keeping.muxer.stats.dropped, 0);
  t.equal(videoFrames(parseFlv(keeping.bytes).tags).length, vf.length + vf.length - 10);
});

t.test('a restart the caller did not announce is rebased too', async (t) => {
  const tags = parseFlv(readBytes(makeFlv(tempDir(t), { ...HD, seconds: 2 }))).tags;
  const media = tags.filter(isMediaFrame);
  const jumped = [...tags, ...shift(media, -3000).map((x) => ({ ...x, timestamp: Math.max(0, x.timestamp) }))];
  const { muxer, bytes } = mux([jumped]);
  checkMonotonic(t, parseFlv(bytes).tags);
  t.equal(muxer.stats.discontinuities, 0, 'no discontinuity() was called');
});

// Decoded pictures are scaled to 16x16 I420 (384 bytes each) and audio to mono
// S16 so the output files count frames and samples exactly; fakesink's
// last-message notifications coalesce under load and would miscount.
function decode(dir: string, file: string): { status: number | null; pictures: number; samples: number; errors: string } {
  const v = join(dir, 'v.raw');
  const a = join(dir, 'a.raw');
  const r = spawnSync('gst-launch-1.0', [
    '-q', 'filesrc', `location=${file}`, '!', 'flvdemux', 'name=d',
    'd.video', '!', 'queue', '!', 'h264parse', '!', 'avdec_h264', '!', 'videoscale', '!', 'video/x-raw,width=16,height=16', '!', 'filesink', `location=${v}`,
    'd.audio', '!', 'queue', '!', 'aacparse', '!', 'avdec_aac', '!', 'audioconvert', '!', 'audio/x-raw,format=S16LE,channels=1', '!', 'filesink', `location=${a}`,
  ], { encoding: 'utf8', timeout: 120_000 });
  const size = (f: string): number => (existsSync(f) ? statSync(f).size : 0);
  return { status: r.status, pictures: size(v) / 384, samples: size(a) / 2, errors: (r.stdout + r.stderr).trim() };
}

t.test('flvdemux ! h264parse ! avdec_h264 decodes every frame across a reconnect', async (t) => {
  const dir = tempDir(t);
  const tags = live(parseFlv(readBytes(makeFlv(dir, HD))).tags);
  const vf = videoFrames(tags);
  const headers = connectionHeaders(tags);
  const midGop = [...headers, ...tags.slice(tags.indexOf(vf[10]!))];
  const { muxer, bytes } = mux([shift(tags, 123_456), shift(tags, 987), shift(midGop, 40)]);
  t.equal(muxer.stats.dropped, 50);
  const file = join(dir, 'muxed.flv');
  writeFileSync(file, bytes);
  const r = decode(dir, file);
  t.equal(r.status, 0, 'gst-launch exits 0');
  t.equal(r.errors, '', 'no error or warning');
  const expected = vf.length * 3 - 10 - muxer.stats.dropped;
  t.equal(r.pictures, expected, `${expected} pictures decoded (${vf.length} + ${vf.length} + ${vf.length - 60} after joining mid-GOP)`);
  const audio = [tags, tags, midGop].flat().filter((x) => x.type === 8 && isMediaFrame(x)).length;
  t.equal(r.samples, audio * 1024, `all ${audio} AAC frames decoded`);
});

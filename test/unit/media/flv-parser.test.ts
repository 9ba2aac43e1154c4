// The streaming parser and the tag classifiers against ffmpeg's FLV files,
// with ffprobe's packet list as the truth, and cut at arbitrary boundaries
// as a socket would deliver them.
import { execFileSync } from 'node:child_process';
import t, { type Test } from 'tap';
import { FlvParseError, FlvParser, parseFlv } from '../../../src/media/flv/parser';
import { isAacSequenceHeader, isAvcSequenceHeader, isMediaFrame, isVideoKeyFrame } from '../../../src/media/flv/tags';
import type { FlvTag } from '../../../src/media/types';
import { HD, makeFlv, readBytes, tempDir } from '../../helpers/ffmpeg-files';

interface Packet { video: boolean; dtsMs: number; key: boolean }

function probePackets(file: string): Packet[] {
  const csv = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'packet=codec_type,dts_time,flags', '-of', 'csv=p=0', file]).toString();
  return csv.trim().split('\n').map((line) => {
    const [type, dts, flags] = line.split(',');
    return { video: type === 'video', dtsMs: Math.round(Number(dts) * 1000), key: (flags ?? '').includes('K') };
  });
}

// Deterministic chunk sizes so a failure can be replayed.
function* chunkSizes(seed: number, max: number): Generator<number> {
  let s = seed;
  for (;;) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    yield 1 + (s % max);
  }
}

function pushInChunks(t: Test, bytes: Buffer, sizes: Generator<number>): FlvTag[] {
  const parser = new FlvParser();
  const tags: FlvTag[] = [];
  for (let p = 0; p < bytes.length; ) {
    const n = sizes.next().value as number;
    tags.push(...parser.push(bytes.subarray(p, p + n)));
    p += n;
  }
  t.equal(parser.buffered, 0, 'nothing left over at the end of the file');
  return tags;
}

const same = (a: FlvTag[], b: FlvTag[]): boolean =>
  a.length === b.length && a.every((x, i) => x.type === b[i]!.type && x.timestamp === b[i]!.timestamp && x.data.equals(b[i]!.data));

t.test('tags and their classes agree with ffprobe', async (t) => {
  const file = makeFlv(tempDir(t), { ...HD, seconds: 4 });
  const { header, tags } = parseFlv(readBytes(file));
  const packets = probePackets(file);
  t.same(header, { version: 1, hasAudio: true, hasVideo: true });
  t.equal(tags[0]!.type, 18, 'onMetaData first');
  t.equal(tags.filter(isAvcSequenceHeader).length, 1, 'one AVC sequence header');
  t.equal(tags.filter(isAacSequenceHeader).length, 1, 'one AAC sequence header');
  const video = tags.filter((x) => x.type === 9 && isMediaFrame(x));
  const audio = tags.filter((x) => x.type === 8 && isMediaFrame(x));
  const pv = packets.filter((p) => p.video);
  t.equal(video.length, pv.length, 'video frames');
  t.equal(audio.length, packets.length - pv.length, 'audio frames');
  t.same(video.map((x) => x.timestamp), pv.map((p) => p.dtsMs), 'video timestamps are the DTS');
  t.same(video.map(isVideoKeyFrame), pv.map((p) => p.key), 'key frames where ffprobe sees them');
  t.equal(video.filter(isVideoKeyFrame).length, 2, '4 s at GOP 2 s');
  t.notOk(tags.filter(isAvcSequenceHeader).some(isVideoKeyFrame), 'a sequence header is not a key frame');
});

t.test('arbitrary chunk boundaries give the same tags', async (t) => {
  const bytes = readBytes(makeFlv(tempDir(t), { ...HD, seconds: 2 }));
  const whole = parseFlv(bytes).tags;
  t.ok(same(pushInChunks(t, bytes, chunkSizes(7, 7)), whole), 'chunks of 1..7 bytes');
  t.ok(same(pushInChunks(t, bytes, chunkSizes(11, 70_000)), whole), 'chunks up to 70 kB');
});

t.test('headerless mode reads tags that start at byte 0', async (t) => {
  const bytes = readBytes(makeFlv(tempDir(t), { ...HD, seconds: 1 }));
  const whole = parseFlv(bytes).tags;
  const tags = new FlvParser({ expectHeader: false }).push(bytes.subarray(13));
  t.ok(same(tags, whole));
});

t.test('extended timestamps, unknown tag types and wrong PreviousTagSize', async (t) => {
  const tag = (type: number, ts: number, body: number[], prev?: number): Buffer => {
    const b = Buffer.alloc(11 + body.length + 4);
    b[0] = type;
    b.writeUIntBE(body.length, 1, 3);
    b.writeUIntBE(ts & 0xffffff, 4, 3);
    b[7] = ts >>> 24;
    Buffer.from(body).copy(b, 11);
    b.writeUInt32BE(prev ?? 11 + body.length, 11 + body.length);
    return b;
  };
  const head = Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);
  const parser = new FlvParser();
  const tags = parser.push(Buffer.concat([head, tag(9, 0x12345678, [0x17, 1, 0, 0, 0]), tag(15, 5, [1]), tag(8, 40, [0xaf, 1, 9], 99)]));
  t.same(tags.map((x) => [x.type, x.timestamp]), [[9, 0x12345678], [8, 40]]);
  t.equal(parser.skipped, 1);
  t.equal(parser.badPrevSizes, 1);
});

t.test('a stream that is not FLV is refused at once', async (t) => {
  t.throws(() => new FlvParser().push(Buffer.from('<html>')), FlvParseError);
  t.throws(() => new FlvParser().push(Buffer.from('FX')), FlvParseError, 'two bytes are enough to tell');
  t.same(new FlvParser().push(Buffer.from('FL')), [], 'a prefix of FLV waits for more');
});

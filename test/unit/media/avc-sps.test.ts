// The SPS parser against x264's real output, for the shapes that exercise its
// branches: cropping, high profiles (chroma format, scaling lists), 4:2:2 and
// 4:4:4 crop units, interlaced coding. ffprobe is the independent truth.
import t from 'tap';
import { avcInfo, parseAvcDecoderConfig, parseSps, spsKey } from '../../../src/media/flv/avc';
import { parseFlv } from '../../../src/media/flv/parser';
import { isAvcSequenceHeader } from '../../../src/media/flv/tags';
import type { FlvTag } from '../../../src/media/types';
import { makeFlv, probeVideo, readBytes, tempDir, type Publisher } from '../../helpers/ffmpeg-files';

const clip = (name: string, width: number, height: number, extra: string[] = []): Publisher => ({
  name, width, height, fps: 25, videoKbps: 500, gopFrames: 25, audioKbps: 64, seconds: 0.2, extra,
});

const fast = ['-preset', 'fast'];
const cases: Array<{ p: Publisher; profile: number; chroma: number; frameMbsOnly: boolean }> = [
  { p: clip('baseline-720p', 1280, 720), profile: 66, chroma: 1, frameMbsOnly: true },
  { p: clip('odd-854x480', 854, 480), profile: 66, chroma: 1, frameMbsOnly: true },
  { p: clip('crop-1080p', 1920, 1080), profile: 66, chroma: 1, frameMbsOnly: true },
  { p: clip('odd-1366x766', 1366, 766), profile: 66, chroma: 1, frameMbsOnly: true },
  { p: clip('high-720p', 1280, 720, [...fast, '-profile:v', 'high']), profile: 100, chroma: 1, frameMbsOnly: true },
  { p: clip('high-scaling-lists', 1920, 1080, [...fast, '-profile:v', 'high', '-x264-params', 'cqm=jvt']), profile: 100, chroma: 1, frameMbsOnly: true },
  { p: clip('high422-1080p', 1920, 1080, [...fast, '-pix_fmt', 'yuv422p']), profile: 122, chroma: 2, frameMbsOnly: true },
  { p: clip('high444-1080p', 1920, 1080, [...fast, '-pix_fmt', 'yuv444p']), profile: 244, chroma: 3, frameMbsOnly: true },
  { p: clip('interlaced-1080i', 1920, 1080, [...fast, '-flags', '+ildct+ilme', '-x264-params', 'interlaced=1']), profile: 100, chroma: 1, frameMbsOnly: false },
];

function sequenceHeader(file: string): FlvTag {
  const tag = parseFlv(readBytes(file)).tags.find(isAvcSequenceHeader);
  if (!tag) throw new Error(`no AVC sequence header in ${file}`);
  return tag;
}

t.test('picture size, profile and level match ffprobe', async (t) => {
  const dir = tempDir(t);
  for (const c of cases) {
    const file = makeFlv(dir, c.p);
    const truth = probeVideo(file);
    const info = avcInfo(sequenceHeader(file));
    t.ok(info, `${c.p.name}: parsed`);
    if (!info) continue;
    t.same({ width: info.width, height: info.height }, { width: c.p.width, height: c.p.height }, `${c.p.name}: size`);
    t.same({ width: info.width, height: info.height }, { width: truth.width, height: truth.height }, `${c.p.name}: size as ffprobe`);
    t.equal(info.profile, c.profile, `${c.p.name}: profile_idc (${truth.profile})`);
    t.equal(info.level, truth.level, `${c.p.name}: level`);
    t.equal(info.chromaFormat, c.chroma, `${c.p.name}: chroma_format_idc`);
    t.equal(info.frameMbsOnly, c.frameMbsOnly, `${c.p.name}: frame_mbs_only`);
  }
});

t.test('the decoder configuration record carries one SPS and one PPS with 4-byte NALU lengths', async (t) => {
  const dir = tempDir(t);
  const cfg = parseAvcDecoderConfig(sequenceHeader(makeFlv(dir, cases[0]!.p)).data.subarray(5));
  t.equal(cfg.sps.length, 1);
  t.equal(cfg.pps.length, 1);
  t.equal(cfg.nalLengthSize, 4);
  t.equal(cfg.profile, 66);
  t.equal(cfg.sps[0]![0]! & 0x1f, 7, 'SPS NAL type');
  t.equal(cfg.pps[0]![0]! & 0x1f, 8, 'PPS NAL type');
});

t.test('spsKey is stable for one configuration and differs for another', async (t) => {
  const dir = tempDir(t);
  const a = sequenceHeader(makeFlv(dir, cases[0]!.p));
  const b = sequenceHeader(makeFlv(dir, cases[2]!.p));
  t.equal(spsKey(a), spsKey({ ...a, data: Buffer.from(a.data) }));
  t.not(spsKey(a), spsKey(b));
  t.equal(spsKey({ type: 9, timestamp: 0, data: Buffer.from([0x27, 1, 0, 0, 0, 0]) }), null, 'a NALU tag has no key');
});

t.test('malformed input is refused, not guessed', async (t) => {
  const dir = tempDir(t);
  const header = sequenceHeader(makeFlv(dir, cases[2]!.p));
  const sps = parseAvcDecoderConfig(header.data.subarray(5)).sps[0]!;
  t.throws(() => parseSps(sps.subarray(0, 6)), RangeError, 'truncated SPS');
  t.throws(() => parseSps(Buffer.from([0x68, 0xce, 0x3c, 0x80])), RangeError, 'a PPS is not an SPS');
  t.throws(() => parseAvcDecoderConfig(Buffer.from([0, 66, 0, 31, 0xff, 0xe1])), RangeError, 'bad version');
  t.equal(avcInfo({ ...header, data: header.data.subarray(0, 20) }), null, 'truncated sequence header');
  t.equal(avcInfo({ type: 8, timestamp: 0, data: Buffer.from([0xaf, 0, 0x12, 0x10]) }), null, 'audio tag');
});

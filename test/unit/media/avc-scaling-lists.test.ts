// x264 never puts scaling lists in the SPS (cqm goes to the PPS), so this test
// makes such an SPS: it takes x264's high-profile SPS, inserts
// seq_scaling_matrix_present_flag = 1 with explicit, default and absent lists,
// and checks the parser's size against ffprobe and a clean decode by ffmpeg.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { avcInfo, parseAvcDecoderConfig } from '../../../src/media/flv/avc';
import { BitReader, unescapeRbsp } from '../../../src/media/flv/bits';
import { parseFlv } from '../../../src/media/flv/parser';
import { isAvcSequenceHeader } from '../../../src/media/flv/tags';
import { FlvMuxer } from '../../../src/media/flv/writer';
import { makeFlv, probeVideo, readBytes, tempDir } from '../../helpers/ffmpeg-files';

class BitWriter {
  bits: number[] = [];
  u(n: number, v: number): void {
    for (let i = n - 1; i >= 0; i--) this.bits.push(Math.floor(v / 2 ** i) % 2);
  }
  ue(v: number): void {
    const len = Math.floor(Math.log2(v + 1));
    this.u(len, 0);
    this.u(len + 1, v + 1);
  }
  se(v: number): void {
    this.ue(v > 0 ? 2 * v - 1 : -2 * v);
  }
  bytes(): Buffer {
    const out = Buffer.alloc(Math.ceil(this.bits.length / 8));
    this.bits.forEach((b, i) => (out[i >> 3]! |= b << (7 - (i & 7))));
    return out;
  }
}

const bitsOf = (buf: Buffer): number[] => [...buf].flatMap((b) => [7, 6, 5, 4, 3, 2, 1, 0].map((i) => (b >> i) & 1));

function escape(rbsp: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

/** x264's SPS with scaling lists: lists 0-3 flat 16 written out, list 4 "use default" (first delta to 0), the rest absent. */
function withScalingLists(sps: Buffer): Buffer {
  const rbsp = unescapeRbsp(sps.subarray(1));
  const r = new BitReader(rbsp);
  r.u(24);
  r.ue();
  const chroma = r.ue();
  if (chroma === 3) r.u1();
  r.ue();
  r.ue();
  r.u1();
  const at = rbsp.length * 8 - r.bitsLeft; // position of seq_scaling_matrix_present_flag
  if (r.u1() !== 0) throw new Error('SPS already has scaling lists');
  const src = bitsOf(rbsp);
  const stop = src.lastIndexOf(1); // rbsp_stop_one_bit
  const w = new BitWriter();
  w.bits.push(...src.slice(0, at), 1);
  for (let i = 0; i < 8; i++) {
    const size = i < 6 ? 16 : 64;
    if (i < 4 || i === 6) {
      w.u(1, 1);
      w.se(8); // 8 → 16
      for (let j = 1; j < size; j++) w.se(0);
    } else if (i === 4) {
      w.u(1, 1);
      w.se(-8); // 8 → 0: use the default list, no more deltas
    } else w.u(1, 0);
  }
  w.bits.push(...src.slice(at + 1, stop), 1);
  while (w.bits.length % 8) w.bits.push(0);
  return Buffer.concat([sps.subarray(0, 1), escape(w.bytes())]);
}

t.test('an SPS with scaling lists parses to the size ffprobe reads, and decodes', async (t) => {
  const dir = tempDir(t);
  const src = makeFlv(dir, { name: 'high', width: 1920, height: 1080, fps: 25, videoKbps: 800, gopFrames: 25, audioKbps: 64, seconds: 1, extra: ['-preset', 'fast', '-profile:v', 'high'] });
  const tags = parseFlv(readBytes(src)).tags;
  const header = tags.find(isAvcSequenceHeader)!;
  const record = header.data.subarray(5);
  const cfg = parseAvcDecoderConfig(record);
  const sps = withScalingLists(cfg.sps[0]!);
  const pps = cfg.pps[0]!;
  const len = (b: Buffer): Buffer => Buffer.from([b.length >> 8, b.length & 0xff]);
  const newRecord = Buffer.concat([record.subarray(0, 5), Buffer.from([0xe1]), len(sps), sps, Buffer.from([1]), len(pps), pps]);
  const newHeader = { ...header, data: Buffer.concat([header.data.subarray(0, 5), newRecord]) };

  const info = avcInfo(newHeader);
  t.same(info && [info.width, info.height, info.profile], [1920, 1080, 100], 'parser: 1920x1080 high');

  const muxer = new FlvMuxer();
  const file = join(dir, 'scaling.flv');
  writeFileSync(file, Buffer.concat(tags.map((x) => muxer.write(x === header ? newHeader : x)!)));
  const trace = spawnSync('ffmpeg', ['-v', 'trace', '-i', file, '-map', '0:v', '-frames:v', '1', '-c', 'copy', '-bsf:v', 'trace_headers', '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
  t.match(trace, /seq_scaling_matrix_present_flag\s+1 = 1/, 'ffmpeg reads the lists in the SPS');
  const probed = probeVideo(file);
  t.same([probed.width, probed.height], [1920, 1080], 'ffprobe agrees');
  const decode = spawnSync('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-map', '0:v', '-f', 'null', '-'], { encoding: 'utf8' });
  t.same([decode.status, decode.stderr], [0, ''], 'ffmpeg decodes every frame without error');
});

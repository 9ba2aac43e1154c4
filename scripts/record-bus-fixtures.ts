// Records the bus messages of the real live pipeline (fake sinks) while it
// plays an FLV file, optionally with bytes flipped inside video or audio
// frames, into test/fixtures/bus/<name>.jsonl for the bus-code table's unit
// test. Run: node dist/scripts/record-bus-fixtures.js (needs ffmpeg).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describePipeline } from '../src/gst/pipeline-description';
import { audioSinkDescription, chooseGeometry, videoSinkDescription } from '../src/gst/element-choice';
import { parseFlv } from '../src/media/flv/parser';
import { FlvMuxer } from '../src/media/flv/writer';
import { isMediaFrame, isVideoKeyFrame } from '../src/media/flv/tags';
import type { FlvTag } from '../src/media/types';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gst = require('gstreamer-superficial');

function corrupt(tag: FlvTag, type: 8 | 9, i: number): FlvTag {
  if (tag.type !== type || !isMediaFrame(tag) || isVideoKeyFrame(tag) || i % 3 !== 0) return tag;
  const data = Buffer.from(tag.data);
  // Past the FLV/AVC or AAC packet header, so the container stays valid and only the codec sees garbage.
  for (let p = type === 9 ? 12 : 3; p < data.length; p += 3) data[p] ^= 0x5a;
  return { ...tag, data };
}

async function record(name: string, tags: FlvTag[], ms: number): Promise<void> {
  const turn = chooseGeometry('fake', () => false);
  const text = describePipeline({ variant: 'live', video_decoder: 'avdec_h264', video_sink: videoSinkDescription('fake'), audio_sink: audioSinkDescription('fake'), rotate_left: turn.rotateLeft, rotate_right: turn.rotateRight });
  const p = new gst.Pipeline(text);
  const out: string[] = [];
  p.pollBus((m: Record<string, unknown>) => {
    out.push(JSON.stringify(m));
  });
  p.play();
  const src = p.findChild('src');
  const muxer = new FlvMuxer();
  const t0 = Date.now();
  for (const tag of tags) {
    const wait = tag.timestamp - (Date.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const b = muxer.write(tag);
    if (b) src.push(b);
  }
  await new Promise((r) => setTimeout(r, ms));
  writeFileSync(path.resolve(__dirname, '../../test/fixtures/bus', `${name}.jsonl`), out.join('\n') + '\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lp-bus-'));
  const file = path.join(dir, 'in.flv');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine', '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac', '-f', 'flv', file]);
  const tags = parseFlv(readFileSync(file)).tags;
  await record('clean', tags, 300);
  await record('corrupt-video', tags.map((t, i) => corrupt(t, 9, i)), 300);
  await record('corrupt-audio', tags.map((t, i) => corrupt(t, 8, i)), 300);
  process.kill(process.pid, 'SIGKILL'); // the binding can hang a normal exit
}

void main();

// The stream detectors as tables: what goes in, which status code comes out.
import t from 'tap';
import { parseFlv } from '../../../src/media/flv/parser';
import { isAvcSequenceHeader } from '../../../src/media/flv/tags';
import { JitterDetector, ResolutionChangeDetector, TimestampGapDetector, type JitterDetectorOptions, type TimestampGapDetectorOptions } from '../../../src/media/netstats/detectors';
import type { FlvTag } from '../../../src/media/types';
import { makeFlv, readBytes, tempDir, type Publisher } from '../../helpers/ffmpeg-files';

const frame = (timestamp: number, key = false): FlvTag => ({ type: 9, timestamp, data: Buffer.from([key ? 0x17 : 0x27, 1, 0, 0, 0, 0, 0, 0, 1, 0x41]) });
const audio = (timestamp: number): FlvTag => ({ type: 8, timestamp, data: Buffer.from([0xaf, 1, 0x21]) });
const avcHeader = (timestamp: number): FlvTag => ({ type: 9, timestamp, data: Buffer.from([0x17, 0, 0, 0, 0, 1, 66, 0, 31]) });
const steps = (from: number, step: number, n: number): number[] => Array.from({ length: n }, (_, i) => Math.round(from + i * step));

const gapCases: Array<{ name: string; tags: Array<FlvTag | 'reset'>; want: Array<string>; opts?: TimestampGapDetectorOptions }> = [
  { name: 'steady 30 fps', tags: steps(0, 1000 / 30, 90).map((ts) => frame(ts)), want: [] },
  { name: 'one frame missing at 30 fps', tags: [...steps(0, 33.3, 10), 367].map((ts) => frame(ts)), want: [] },
  { name: 'four frames missing at 30 fps', tags: [...steps(0, 33.3, 10), 467, 500].map((ts) => frame(ts)), want: ['gap 300→467'] },
  { name: 'timestamps go back', tags: [...steps(0, 40, 10), 300, 340].map((ts) => frame(ts)), want: ['backwards 360→300'] },
  { name: 'three frames missing at 60 fps stay under the 100 ms floor', tags: [...steps(0, 16.7, 10), 217].map((ts) => frame(ts)), want: [] },
  { name: 'no floor: three frames missing at 60 fps', tags: [...steps(0, 16.7, 10), 217].map((ts) => frame(ts)), want: ['gap 150→217'], opts: { minGapMs: 0 } },
  { name: '10 fps: one frame missing is no gap, four are', tags: [...steps(0, 100, 10), 1100, 1600].map((ts) => frame(ts)), want: ['gap 1100→1600'] },
  { name: 'too few frames to know the interval', tags: [0, 40, 500].map((ts) => frame(ts)), want: [] },
  { name: 'audio and sequence headers are not video frames', tags: [...steps(0, 40, 10).map((ts) => frame(ts)), audio(5000), avcHeader(0), frame(400)], want: [] },
  { name: 'a reconnect restarts at 0 after reset()', tags: [...steps(5000, 40, 10).map((ts) => frame(ts)), 'reset', ...steps(0, 40, 5).map((ts) => frame(ts, ts === 0))], want: [] },
  // What an integration test once ran into: joined with a single frame seen, then key frames only.
  { name: 'a stream that starts at 1 fps is taken as 1 fps', tags: [0, ...steps(1000, 1000, 8)].map((ts) => frame(ts, true)), want: [] },
  { name: 'the same steps after the interval was learned are gaps', tags: [...steps(0, 40, 10), ...steps(1000, 1000, 3)].map((ts) => frame(ts)), want: ['gap 360→1000', 'gap 1000→2000', 'gap 2000→3000'] },
  { name: 'without reset() the restart is a jump back', tags: [...steps(5000, 40, 10).map((ts) => frame(ts)), frame(0, true)], want: ['backwards 5360→0'] },
];

t.test('TimestampGapDetector → 2107', async (t) => {
  for (const c of gapCases) {
    const d = new TimestampGapDetector(c.opts);
    const got: string[] = [];
    for (const tag of c.tags) {
      if (tag === 'reset') d.reset();
      else {
        const e = d.onTag(tag);
        if (e?.code === 2107) got.push(`${e.kind} ${e.fromTs}→${e.toTs}`);
        else if (e) got.push(`code ${e.code}`);
      }
    }
    t.same(got, c.want, c.name);
  }
});

const jitterCases: Array<{ name: string; series: Array<[number, number]>; want: number[]; opts?: JitterDetectorOptions }> = [
  { name: 'low jitter never fires', series: steps(0, 1000, 20).map((ms) => [40, ms]), want: [] },
  { name: 'high for 3 s fires once, at 3 s', series: steps(0, 1000, 5).map((ms) => [200, ms]), want: [3000] },
  { name: 'a spike that decays within 3 s is quiet', series: [[400, 0], [300, 1000], [180, 2000], [90, 3000], [200, 4000], [60, 5000]], want: [] },
  { name: 'sustained: again only after repeatMs', series: steps(0, 1000, 25).map((ms) => [300, ms]), want: [3000, 13000, 23000] },
  { name: 'exactly at the threshold is not over it', series: steps(0, 1000, 6).map((ms) => [150, ms]), want: [] },
  { name: 'own threshold and hold', series: steps(0, 500, 6).map((ms) => [60, ms]), want: [1000], opts: { thresholdMs: 50, holdMs: 1000 } },
];

t.test('JitterDetector → 2104', async (t) => {
  for (const c of jitterCases) {
    const d = new JitterDetector(c.opts);
    const fired = c.series.flatMap(([j, ms]) => {
      const e = d.update(j, ms);
      return e?.code === 2104 && e.jitterMs === j ? [ms] : e ? [NaN] : [];
    });
    t.same(fired, c.want, c.name);
  }
});

t.test('ResolutionChangeDetector → 2009 with from/to', async (t) => {
  const dir = tempDir(t);
  const header = (name: string, width: number, height: number, extra: string[] = []): FlvTag => {
    const p: Publisher = { name, width, height, fps: 25, videoKbps: 300, gopFrames: 25, audioKbps: 64, seconds: 0.2, extra };
    return parseFlv(readBytes(makeFlv(dir, p))).tags.find(isAvcSequenceHeader)!;
  };
  const hd = header('hd', 1280, 720);
  const sd = header('sd', 640, 360);
  const hdHigh = header('hd-high', 1280, 720, ['-preset', 'fast', '-profile:v', 'high']);
  const cases: Array<{ name: string; tags: FlvTag[]; want: string[] }> = [
    { name: 'first header is no change', tags: [hd], want: [] },
    { name: 'same header again (reconnect)', tags: [hd, frame(0, true), hd], want: [] },
    { name: 'new configuration, same size', tags: [hd, hdHigh], want: [] },
    { name: 'smaller, then back', tags: [hd, frame(40, true), sd, hd], want: ['1280x720→640x360', '640x360→1280x720'] },
    { name: 'frames and broken headers in between are ignored', tags: [sd, frame(40, true), { ...hd, data: hd.data.subarray(0, 12) }, sd], want: [] },
  ];
  for (const c of cases) {
    const d = new ResolutionChangeDetector();
    const got = c.tags.flatMap((tag) => {
      const e = d.onTag(tag);
      return e?.code === 2009 ? [`${e.from.width}x${e.from.height}→${e.to.width}x${e.to.height}`] : e ? [`code ${e.code}`] : [];
    });
    t.same(got, c.want, c.name);
  }
});

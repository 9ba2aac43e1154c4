// The chunk parser against chunk streams built byte by byte from the RTMP
// specification (section 5.3), each case fed whole and one byte at a time.
import t from 'tap';
import { ChunkParser, writeChunks, type RtmpMessage } from '../../../src/media/rtmp/chunk-stream';

function basic(fmt: number, csid: number): Buffer {
  if (csid < 64) return Buffer.from([(fmt << 6) | csid]);
  if (csid < 320) return Buffer.from([fmt << 6, csid - 64]);
  return Buffer.from([(fmt << 6) | 1, (csid - 64) & 0xff, (csid - 64) >> 8]);
}
const u24 = (n: number): Buffer => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const u32be = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };
const u32le = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
/** fmt 0: absolute timestamp; `ext` puts it in the extended field. */
const fmt0 = (csid: number, ts: number, len: number, type: number, sid: number): Buffer =>
  ts >= 0xffffff
    ? Buffer.concat([basic(0, csid), u24(0xffffff), u24(len), Buffer.from([type]), u32le(sid), u32be(ts)])
    : Buffer.concat([basic(0, csid), u24(ts), u24(len), Buffer.from([type]), u32le(sid)]);
const fmt1 = (csid: number, delta: number, len: number, type: number): Buffer => Buffer.concat([basic(1, csid), u24(delta), u24(len), Buffer.from([type])]);
const fmt2 = (csid: number, delta: number): Buffer => Buffer.concat([basic(2, csid), u24(delta)]);
const fmt3 = (csid: number, ext?: number): Buffer => Buffer.concat([basic(3, csid), ext === undefined ? Buffer.alloc(0) : u32be(ext)]);
const body = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));

type Step = Buffer | { chunkSize: number } | { abort: number };
interface Case {
  name: string;
  steps: Step[];
  want: Array<Omit<RtmpMessage, 'body'> & { body: Buffer }>;
}

const A = body(300, 1);
const V = body(200, 2);
const cases: Case[] = [
  {
    name: 'one message in one fmt 0 chunk',
    steps: [fmt0(3, 1000, 5, 20, 0), body(5, 9)],
    want: [{ csid: 3, typeId: 20, streamId: 0, timestamp: 1000, body: body(5, 9) }],
  },
  {
    name: 'a message split across chunks (fmt 0 + fmt 3 continuations, 128-byte chunks)',
    steps: [fmt0(4, 40, 300, 9, 1), A.subarray(0, 128), fmt3(4), A.subarray(128, 256), fmt3(4), A.subarray(256)],
    want: [{ csid: 4, typeId: 9, streamId: 1, timestamp: 40, body: A }],
  },
  {
    name: 'extended timestamp on fmt 0 and repeated on its fmt 3 continuation',
    steps: [fmt0(4, 0x01000000, 200, 9, 1), V.subarray(0, 128), fmt3(4, 0x01000000), V.subarray(128)],
    want: [{ csid: 4, typeId: 9, streamId: 1, timestamp: 0x01000000, body: V }],
  },
  {
    name: 'fmt 1 and fmt 2 deltas, then fmt 3 starting a message with the last delta',
    steps: [
      fmt0(6, 100, 2, 8, 1), body(2, 0),
      fmt1(6, 23, 3, 8), body(3, 0),
      fmt2(6, 21), body(3, 1),
      fmt3(6), body(3, 2),
    ],
    want: [
      { csid: 6, typeId: 8, streamId: 1, timestamp: 100, body: body(2, 0) },
      { csid: 6, typeId: 8, streamId: 1, timestamp: 123, body: body(3, 0) },
      { csid: 6, typeId: 8, streamId: 1, timestamp: 144, body: body(3, 1) },
      { csid: 6, typeId: 8, streamId: 1, timestamp: 165, body: body(3, 2) },
    ],
  },
  {
    name: 'two- and three-byte basic headers (csid 64..319 and 320+)',
    steps: [fmt0(100, 1, 1, 18, 1), Buffer.from([7]), fmt0(1000, 2, 1, 18, 1), Buffer.from([8])],
    want: [
      { csid: 100, typeId: 18, streamId: 1, timestamp: 1, body: Buffer.from([7]) },
      { csid: 1000, typeId: 18, streamId: 1, timestamp: 2, body: Buffer.from([8]) },
    ],
  },
  {
    name: 'chunks of two chunk streams interleaved',
    steps: [fmt0(6, 0, 200, 9, 1), V.subarray(0, 128), fmt0(4, 5, 4, 8, 1), body(4, 3), fmt3(6), V.subarray(128)],
    want: [
      { csid: 4, typeId: 8, streamId: 1, timestamp: 5, body: body(4, 3) },
      { csid: 6, typeId: 9, streamId: 1, timestamp: 0, body: V },
    ],
  },
  {
    name: 'Set Chunk Size takes effect for the next chunk',
    steps: [{ chunkSize: 4096 }, fmt0(4, 0, 300, 9, 1), A],
    want: [{ csid: 4, typeId: 9, streamId: 1, timestamp: 0, body: A }],
  },
  {
    name: 'Abort drops the partial message on that chunk stream only',
    steps: [fmt0(4, 0, 300, 9, 1), A.subarray(0, 128), { abort: 4 }, fmt0(4, 10, 2, 9, 1), body(2, 5)],
    want: [{ csid: 4, typeId: 9, streamId: 1, timestamp: 10, body: body(2, 5) }],
  },
  {
    name: 'a zero-length message completes at its header',
    steps: [fmt0(3, 7, 0, 18, 1)],
    want: [{ csid: 3, typeId: 18, streamId: 1, timestamp: 7, body: Buffer.alloc(0) }],
  },
];

function run(steps: Step[], oneByteAtATime: boolean): RtmpMessage[] {
  const got: RtmpMessage[] = [];
  const p = new ChunkParser((m) => got.push(m));
  for (const s of steps) {
    if ('chunkSize' in s) p.setChunkSize(s.chunkSize);
    else if ('abort' in s) p.abort(s.abort);
    else if (oneByteAtATime) for (const b of s) p.push(Buffer.from([b]));
    else p.push(s);
  }
  return got;
}

const plain = (ms: RtmpMessage[]): unknown[] => ms.map((m) => ({ ...m, body: m.body.toString('hex') }));

for (const c of cases) {
  t.test(c.name, async (tt) => {
    tt.same(plain(run(c.steps, false)), plain(c.want), 'fed chunk by chunk');
    tt.same(plain(run(c.steps, true)), plain(c.want), 'fed one byte at a time');
  });
}

t.test('whole stream in one push', async (tt) => {
  const c = cases[1];
  tt.same(plain(run([Buffer.concat(c.steps as Buffer[])], false)), plain(c.want));
});

t.test('writer output parses back, including an extended timestamp', async (tt) => {
  for (const ts of [0, 40, 0xfffffe, 0xffffff, 0x12345678]) {
    const m: RtmpMessage = { csid: 8, typeId: 20, streamId: 1, timestamp: ts, body: body(333, ts & 0xff) };
    tt.same(plain(run([writeChunks(m, 128)], true)), plain([m]), `timestamp ${ts}`);
  }
});

t.test('Set Chunk Size outside 1..2^31-1 is refused', async (tt) => {
  const p = new ChunkParser(() => undefined);
  tt.throws(() => p.setChunkSize(0), { name: 'ChunkError' });
  tt.throws(() => p.setChunkSize(0x80000000), { name: 'ChunkError' });
  tt.doesNotThrow(() => p.setChunkSize(0x7fffffff));
});

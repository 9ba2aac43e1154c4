// The streaming FLV tag parser shared by HTTP-FLV bodies and RTMP aggregate
// messages: tag boundaries at any split, the signature check, timestamps.
import t from 'tap';
import { FlvStreamParser, splitAggregate } from '../../../src/media/flv-stream';
import type { FlvTag } from '../../../src/media/types';

function tagBytes(type: number, ts: number, data: Buffer): Buffer {
  const h = Buffer.alloc(11);
  h[0] = type;
  h.writeUIntBE(data.length, 1, 3);
  h.writeUIntBE(ts & 0xffffff, 4, 3);
  h[7] = (ts >>> 24) & 0xff;
  const prev = Buffer.alloc(4);
  prev.writeUInt32BE(11 + data.length);
  return Buffer.concat([h, data, prev]);
}
// "FLV", version 1, audio+video flags, data offset 9, PreviousTagSize0 = 0.
const HEADER = Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);
const tags: FlvTag[] = [
  { type: 18, timestamp: 0, data: Buffer.from('meta') },
  { type: 9, timestamp: 0, data: Buffer.from([0x17, 0, 0, 0, 0]) },
  { type: 8, timestamp: 23, data: Buffer.from([0xaf, 1, 2, 3]) },
  { type: 9, timestamp: 0x01020304, data: Buffer.alloc(3000, 7) },
];
const stream = Buffer.concat([HEADER, ...tags.map((x) => tagBytes(x.type, x.timestamp, x.data))]);

function parse(parts: Buffer[], header = true): FlvTag[] {
  const got: FlvTag[] = [];
  const p = new FlvStreamParser((x) => got.push(x), { header });
  for (const b of parts) p.push(b);
  return got;
}

t.test('whole stream, every split point and byte by byte give the same tags', async (tt) => {
  tt.same(parse([stream]), tags);
  for (const cut of [1, 3, 9, 12, 13, 14, 24, 30, 100, stream.length - 1]) {
    tt.same(parse([stream.subarray(0, cut), stream.subarray(cut)]), tags, `split at ${cut}`);
  }
  tt.same(parse([...stream].map((b) => Buffer.from([b]))), tags, 'one byte at a time');
});

t.test('onHeader runs before the tags that arrive with the header', async (tt) => {
  const seen: string[] = [];
  const p = new FlvStreamParser((x) => seen.push(`tag ${x.type}`), { header: true, onHeader: () => seen.push('header') });
  p.push(stream);
  tt.same(seen.slice(0, 2), ['header', 'tag 18']);
  tt.equal(seen.filter((x) => x === 'header').length, 1);
});

t.test('a body that is not FLV is refused from its first bytes', async (tt) => {
  const p = new FlvStreamParser(() => undefined);
  tt.throws(() => p.push(Buffer.from('<html>')), { name: 'FlvStreamError', notFlv: true });
  const q = new FlvStreamParser(() => undefined);
  tt.doesNotThrow(() => q.push(Buffer.from('FL')), 'a prefix of the signature waits for more');
  tt.equal(q.headerSeen, false);
});

t.test('an incomplete last tag stays buffered', async (tt) => {
  const p = new FlvStreamParser(() => undefined);
  p.push(stream.subarray(0, stream.length - 10));
  tt.ok(p.buffered > 0);
  p.push(stream.subarray(stream.length - 10));
  tt.equal(p.buffered, 0);
});

t.test('aggregate messages re-base sub-tag timestamps on the message timestamp', async (tt) => {
  const body = Buffer.concat([tagBytes(9, 500, Buffer.from([1])), tagBytes(8, 520, Buffer.from([2]))]);
  tt.same(splitAggregate(body, 1000).map((x) => [x.type, x.timestamp]), [[9, 1000], [8, 1020]]);
});

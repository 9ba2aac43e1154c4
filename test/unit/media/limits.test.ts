// The parsers refuse what no real stream sends (src/media/limits.ts), the
// start stages time out in order, and the script guard bounds script data.
import t from 'tap';
import { ChunkError, ChunkParser, writeChunks } from '../../../src/media/rtmp/chunk-stream';
import { AmfError, decodeAmf0, encodeAmf0 } from '../../../src/media/rtmp/amf0';
import { FlvStreamError, FlvStreamParser } from '../../../src/media/flv-stream';
import { refuseTag } from '../../../src/media/limits';
import { metadataAnnouncesVideo } from '../../../src/media/flv/metadata';
import { StartStages } from '../../../src/gst/worker/watches/start-stages';
import { ScriptGuard } from '../../../src/media/feed/script-guard';
import { avcSequenceHeader, spsNal } from '../../helpers/hostile-rtmp';

t.test('RTMP: a message longer than its type allows is refused from its header', async (tt) => {
  const p = new ChunkParser(() => tt.fail('no message expected'));
  // Only the first chunk of a 9 MiB video message: refused before its body arrives.
  const whole = writeChunks({ csid: 6, typeId: 9, streamId: 1, timestamp: 0, body: Buffer.alloc(9 * 1024 * 1024) }, 128);
  tt.throws(() => p.push(whole.subarray(0, 200)), ChunkError);
  const q = new ChunkParser(() => undefined);
  tt.throws(() => q.push(writeChunks({ csid: 3, typeId: 20, streamId: 0, timestamp: 0, body: Buffer.alloc(70 * 1024) }, 128).subarray(0, 200)), /64KiB|65536-byte limit/);
  const got: number[] = [];
  const ok = new ChunkParser((m) => got.push(m.body.length));
  ok.push(writeChunks({ csid: 6, typeId: 9, streamId: 1, timestamp: 0, body: Buffer.alloc(2 * 1024 * 1024) }, 128));
  tt.same(got, [2 * 1024 * 1024], 'a 2 MiB video frame passes');
});

t.test('RTMP: unfinished messages over all chunk streams are bounded', async (tt) => {
  const p = new ChunkParser(() => undefined);
  const CH = 1024 * 1024;
  p.setChunkSize(CH);
  // Chunk streams interleave at chunk boundaries: the first 1 MiB chunk of a 7 MiB video message on each of 20 streams.
  tt.throws(() => {
    for (let csid = 4; csid < 24; csid++) {
      const m = writeChunks({ csid, typeId: 9, streamId: 1, timestamp: 0, body: Buffer.alloc(7 * CH) }, CH);
      p.push(m.subarray(0, 1 + 11 + CH));
    }
  }, /unfinished messages/);
});

t.test('AMF0: strict array counts past the bytes left and deep nesting are refused', async (tt) => {
  const arr = Buffer.from([0x0a, 0x00, 0xf0, 0x00, 0x00, 0x05, 0x05]);
  tt.throws(() => decodeAmf0(arr), AmfError);
  let nested = Buffer.from([0x05]);
  for (let i = 0; i < 40; i++) nested = Buffer.concat([Buffer.from([0x0a, 0, 0, 0, 1]), nested]);
  tt.throws(() => decodeAmf0(nested), /nesting deeper than 32/);
  tt.same(decodeAmf0(encodeAmf0([1, [2, { a: 3 }]])), [[1, [2, { a: 3 }]]], 'ordinary nesting decodes');
});

t.test('FLV: a tag over its limit is refused from its header; a dripped tag is joined once', async (tt) => {
  const head = Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);
  const big = Buffer.alloc(11);
  big[0] = 18;
  big.writeUIntBE(2 * 1024 * 1024, 1, 3);
  tt.throws(() => new FlvStreamParser(() => undefined).push(Buffer.concat([head, big])), FlvStreamError);
  const tags: number[] = [];
  const p = new FlvStreamParser((tag) => tags.push(tag.data.length));
  const tag = Buffer.alloc(11 + 100000 + 4);
  tag[0] = 9;
  tag.writeUIntBE(100000, 1, 3);
  const all = Buffer.concat([head, tag]);
  for (let i = 0; i < all.length; i += 100) p.push(all.subarray(i, i + 100));
  tt.same(tags, [100000]);
  const e = (() => {
    try {
      new FlvStreamParser(() => undefined).push(Buffer.from('220 mail.example ESMTP'));
    } catch (err) {
      return err as FlvStreamError;
    }
  })();
  tt.notMatch(e?.message, /32 32 30|mail/, 'the message quotes no peer bytes');
  tt.match(e?.peek, /^32 32 30/, 'the bytes are kept apart for the debug log');
});

t.test('an SPS declaring 65536x65536 is refused; 1920x1080 passes', async (tt) => {
  tt.match(refuseTag({ type: 9, timestamp: 0, data: avcSequenceHeader(spsNal(4096, 4096)) }), /65536x65536/);
  tt.equal(refuseTag({ type: 9, timestamp: 0, data: avcSequenceHeader(spsNal(120, 68)) }), null);
});

t.test('onMetaData announcing video', async (tt) => {
  const tag = (v: object) => ({ type: 18 as const, timestamp: 0, data: encodeAmf0('onMetaData', v as never) });
  tt.equal(metadataAnnouncesVideo(tag({ videocodecid: 7, audiocodecid: 10 })), true);
  tt.equal(metadataAnnouncesVideo(tag({ width: 1280 })), true);
  tt.equal(metadataAnnouncesVideo(tag({ audiocodecid: 10 })), false);
  tt.equal(metadataAnnouncesVideo({ type: 18, timestamp: 0, data: encodeAmf0('@setDataFrame', 'onMetaData', { videocodecid: 7 }) }), true);
  tt.equal(metadataAnnouncesVideo({ type: 9, timestamp: 0, data: Buffer.from([0x17]) }), null);
});

t.test('start stages: each has its deadline and names itself', async (tt) => {
  const s = new StartStages({ stallTimeoutMs: 5000, keyFrameWaitMs: 12000, latencyMs: 1000 });
  s.arm(0);
  tt.equal(s.check(5000), null);
  tt.match(s.check(5001), /waiting for media/);
  tt.equal(s.check(99999), null, 'reported once');
  s.arm(0);
  s.onTag(true, 1000);
  tt.equal(s.check(12999), null, 'a key frame may be a GOP away');
  tt.match(s.check(13001), /waiting for a key frame/);
  s.arm(0);
  s.onTag(true, 0);
  s.onKeyFrame(100);
  tt.equal(s.check(6100), null, 'the picture stage allows the latency too');
  tt.match(s.check(6101), /waiting for the picture/);
  s.arm(0);
  s.disarm();
  tt.equal(s.check(1e9), null, 'no deadline once disarmed');
});

t.test('script guard: 8 before the clock, 10 a second after', async (tt) => {
  const g = new ScriptGuard();
  let passed = 0;
  for (let i = 0; i < 1000; i++) if (g.allow(i, false)) passed++;
  tt.equal(passed, 8);
  passed = 0;
  for (let i = 0; i < 1000; i++) if (g.allow(10000 + i * 10, true)) passed++;
  tt.equal(passed, 100, '10 s of a 100/s flood: 10 a second');
  tt.equal(g.takeDropped(), 992 + 900);
});

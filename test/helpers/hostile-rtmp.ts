// An RTMP server written to misbehave after it has accepted the play: it
// does the handshake, answers connect / createStream / play like a real
// server (Play.Start), and then does one bad thing, chosen by `mode`. For
// the deadline and memory tests (every wait has a deadline; parsers refuse
// what no real stream sends). Listens on 127.0.0.1, port from the OS.
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { ChunkParser, writeChunks } from '../../src/media/rtmp/chunk-stream';
import { decodeAmf0, encodeAmf0 } from '../../src/media/rtmp/amf0';
import { TestServer } from './tcp-servers';

export type HostileMode =
  /** Play.Start and then nothing at all. */
  | 'silent'
  /** Audio and inter (P) frames, with a sequence header, never a key frame. */
  | 'no-key-frame'
  /** A sequence header and key frames whose data no decoder can turn into a picture. */
  | 'undecodable-key-frame'
  /** An AVC sequence header whose SPS declares 65536x65536. */
  | 'huge-sps'
  /** Announces one video message of `dripBytes` and sends it 200 bytes every 100 ms. */
  | 'drip'
  /** Script data messages (64 KiB each) as fast as the socket takes them, no media. */
  | 'script-flood'
  /** One script data message holding an AMF0 strict array of `arrayBytes` (nulls). */
  | 'huge-amf'
  /** Not hostile: a well-formed pace (a key frame a second, 25 frames of 8 KiB a second, ~1.6 Mb/s), for counting the client's Acknowledgements. */
  | 'steady';

export interface HostileOptions {
  mode: HostileMode;
  dripBytes?: number;
  arrayBytes?: number;
  /** Sent as Window Acknowledgement Size (message type 5) before Play.Start, if set. */
  window?: number;
  /** `steady`: one video frame every this many ms (default 40) of this many bytes (default 8 KiB), a key frame each second. */
  frameEveryMs?: number;
  frameBytes?: number;
}

/** An Acknowledgement (message type 3) the client sent: when it came and the byte count it acknowledged. */
export interface AckSeen {
  at: number;
  sequence: number;
}

const CHUNK = 4096;

function msg(typeId: number, body: Buffer, timestamp = 0, csid = 6, streamId = 1): Buffer {
  return writeChunks({ csid, typeId, streamId, timestamp, body }, CHUNK);
}

/** A Baseline SPS NAL unit with the given size in macroblocks (H.264 7.3.2.1.1), emulation prevention not needed for these values. */
export function spsNal(widthMbs: number, heightMbs: number): Buffer {
  const bits: number[] = [];
  const u = (v: number, n: number) => {
    for (let i = n - 1; i >= 0; i--) bits.push((v >> i) & 1);
  };
  const ue = (v: number) => {
    const x = v + 1;
    const len = Math.floor(Math.log2(x));
    u(0, len);
    u(x, len + 1);
  };
  u(0x67, 8); // NAL header: SPS
  u(66, 8); // profile_idc baseline
  u(0, 8); // constraint flags
  u(30, 8); // level 3.0
  ue(0); // seq_parameter_set_id
  ue(0); // log2_max_frame_num_minus4
  ue(2); // pic_order_cnt_type
  ue(1); // max_num_ref_frames
  u(0, 1); // gaps_in_frame_num_value_allowed_flag
  ue(widthMbs - 1);
  ue(heightMbs - 1);
  u(1, 1); // frame_mbs_only_flag
  u(1, 1); // direct_8x8_inference_flag
  u(0, 1); // frame_cropping_flag
  u(0, 1); // vui_parameters_present_flag
  u(1, 1); // rbsp_stop_one_bit
  while (bits.length % 8) bits.push(0);
  const out = Buffer.alloc(bits.length / 8);
  for (let i = 0; i < bits.length; i++) if (bits[i]) out[i >> 3] |= 0x80 >> (i & 7);
  return out;
}

/** An FLV AVC sequence header tag body carrying `sps` and a small PPS. */
export function avcSequenceHeader(sps: Buffer): Buffer {
  const pps = Buffer.from([0x68, 0xce, 0x38, 0x80]);
  const rec = Buffer.concat([
    Buffer.from([1, sps[1]!, sps[2]!, sps[3]!, 0xff, 0xe1]),
    Buffer.from([sps.length >> 8, sps.length & 0xff]),
    sps,
    Buffer.from([1, pps.length >> 8, pps.length & 0xff]),
    pps,
  ]);
  return Buffer.concat([Buffer.from([0x17, 0, 0, 0, 0]), rec]);
}

function avcFrame(key: boolean, payload: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(payload.length);
  return Buffer.concat([Buffer.from([key ? 0x17 : 0x27, 1, 0, 0, 0]), len, payload]);
}

const AAC_HEADER = Buffer.from([0xaf, 0x00, 0x12, 0x10]);
const AAC_FRAME = Buffer.concat([Buffer.from([0xaf, 0x01]), Buffer.alloc(64, 0x21)]);

export interface HostileRtmp extends TestServer {
  url(stream?: string): string;
  /** Every Acknowledgement received, all connections together. */
  readonly acks: AckSeen[];
  /** When the first key frame was written (performance.now()), or 0. */
  readonly firstKeyFrameAt: number;
}

export async function startHostileRtmp(o: HostileOptions): Promise<HostileRtmp> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let connections = 0;
  const acks: AckSeen[] = [];
  let firstKeyFrameAt = 0;
  const every = (ms: number, fn: () => void): void => {
    const t = setInterval(fn, ms);
    timers.add(t);
  };
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    let buf = Buffer.alloc(0);
    let stage: 'c0c1' | 'c2' | 'chunks' = 'c0c1';
    const parser = new ChunkParser((m) => {
      if (m.typeId === 3 && m.body.length >= 4) acks.push({ at: performance.now(), sequence: m.body.readUInt32BE(0) });
      if (m.typeId !== 20) return;
      const [name, txn] = decodeAmf0(m.body);
      const reply = (...v: Parameters<typeof encodeAmf0>) => s.write(msg(20, encodeAmf0(...v), 0, 3, 0));
      if (name === 'connect') reply('_result', txn as number, { fmsVer: 'FMS/3,0,1,123' }, { level: 'status', code: 'NetConnection.Connect.Success' });
      else if (name === 'createStream') reply('_result', txn as number, null, 1);
      else if (name === 'play') {
        if (o.window) {
          const w = Buffer.alloc(4);
          w.writeUInt32BE(o.window);
          s.write(writeChunks({ csid: 2, typeId: 5, streamId: 0, timestamp: 0, body: w }, CHUNK));
        }
        s.write(msg(20, encodeAmf0('onStatus', 0, null, { level: 'status', code: 'NetStream.Play.Start', description: 'go' }), 0, 5, 1));
        misbehave(s);
      }
    });
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (stage === 'c0c1' && buf.length >= 1537) {
        const c1 = buf.subarray(1, 1537);
        // Our chunk size first, so big messages need fewer headers.
        const setChunk = Buffer.alloc(4);
        setChunk.writeUInt32BE(CHUNK);
        s.write(Buffer.concat([Buffer.from([3]), Buffer.alloc(1536), c1]));
        s.write(writeChunks({ csid: 2, typeId: 1, streamId: 0, timestamp: 0, body: setChunk }, 128));
        buf = buf.subarray(1537);
        stage = 'c2';
      }
      if (stage === 'c2' && buf.length >= 1536) {
        buf = buf.subarray(1536);
        stage = 'chunks';
      }
      if (stage === 'chunks' && buf.length) {
        const b = buf;
        buf = Buffer.alloc(0);
        try {
          parser.push(b);
        } catch {
          s.destroy();
        }
      }
    });
  });

  function misbehave(s: net.Socket): void {
    let ts = 0;
    switch (o.mode) {
      case 'silent':
        return;
      case 'no-key-frame':
        s.write(msg(9, avcSequenceHeader(spsNal(40, 23))));
        s.write(msg(8, AAC_HEADER));
        every(40, () => {
          ts += 40;
          if (s.destroyed) return;
          s.write(msg(9, avcFrame(false, Buffer.from([0x41, 0x9a, 0x00, 0x11, 0x22, 0x33])), ts));
          s.write(msg(8, AAC_FRAME, ts));
        });
        return;
      case 'undecodable-key-frame':
        s.write(msg(9, avcSequenceHeader(spsNal(40, 23))));
        every(40, () => {
          ts += 40;
          if (s.destroyed) return;
          // An IDR slice NAL header followed by bytes that are no slice at all.
          s.write(msg(9, avcFrame(ts % 1000 === 40, Buffer.concat([Buffer.from([0x65]), Buffer.alloc(200, 0xff)])), ts));
        });
        return;
      case 'huge-sps':
        s.write(msg(9, avcSequenceHeader(spsNal(4096, 4096))));
        every(40, () => {
          ts += 40;
          if (!s.destroyed) s.write(msg(9, avcFrame(ts % 1000 === 40, Buffer.from([0x65, 0x88, 0x84, 0x00])), ts));
        });
        return;
      case 'drip': {
        const size = o.dripBytes ?? 4 * 1024 * 1024;
        // The header and the first 200 bytes of a message of `size` bytes; the rest as fmt 3 continuations, slowly.
        const whole = msg(9, Buffer.alloc(size, 0x17));
        let off = 0;
        every(100, () => {
          if (s.destroyed || off >= whole.length) return;
          s.write(whole.subarray(off, off + 200));
          off += 200;
        });
        return;
      }
      case 'script-flood': {
        const body = encodeAmf0('onTextData', { text: 'x'.repeat(64 * 1024 - 40) });
        const pump = (): void => {
          while (!s.destroyed && s.write(msg(18, body, ts))) ts += 1;
          if (!s.destroyed) s.once('drain', pump);
        };
        pump();
        return;
      }
      case 'huge-amf': {
        const n = o.arrayBytes ?? 15 * 1024 * 1024;
        const head = encodeAmf0('onMetaData');
        const arr = Buffer.alloc(5 + n, 0x05); // strict array of n nulls
        arr[0] = 0x0a;
        arr.writeUInt32BE(n, 1);
        // The 24-bit length field cannot say more than 16 MiB - 1: split across type-18 messages would be another
        // test; one message as large as the field allows is the worst a peer can announce.
        const body = Buffer.concat([head, arr]).subarray(0, 0xffffff);
        s.write(msg(18, body));
        return;
      }
      case 'steady':
        // Each frame leaves when written, as from a media server: with Nagle,
        // a small frame waits for the client's delayed ACK (up to 40 ms).
        s.setNoDelay(true);
        s.write(msg(9, avcSequenceHeader(spsNal(40, 23))));
        every(o.frameEveryMs ?? 40, () => {
          if (s.destroyed) return;
          const key = ts % 1000 === 0;
          if (key && !firstKeyFrameAt) firstKeyFrameAt = performance.now();
          s.write(msg(9, avcFrame(key, Buffer.concat([Buffer.from([key ? 0x65 : 0x41]), Buffer.alloc(o.frameBytes ?? 8 * 1024, 0x5a)])), ts));
          ts += o.frameEveryMs ?? 40;
        });
        return;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get connections() {
      return connections;
    },
    acks,
    get firstKeyFrameAt() {
      return firstKeyFrameAt;
    },
    url: (stream = 's') => `rtmp://127.0.0.1:${port}/live/${stream}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

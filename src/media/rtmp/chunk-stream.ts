// The RTMP chunk stream: messages are cut into chunks of at most `chunkSize`
// bytes, interleaved across chunk stream ids, each chunk carrying a header
// compressed against the previous header of the same chunk stream (fmt 0-3).
// Messages longer than ../limits.ts allows for their type, or more partial
// messages than it allows in all, are refused (ChunkError) before any byte of
// them is kept.

import { MAX_PARTIAL_BYTES, maxBodyBytes } from '../limits';

export interface RtmpMessage {
  csid: number;
  typeId: number;
  streamId: number;
  /** Milliseconds, 32-bit, extended timestamp and deltas applied. */
  timestamp: number;
  body: Buffer;
}

/** Per chunk stream: the last header seen and the message being assembled. */
interface ChunkStreamState {
  timestamp: number;
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
  /** Whether the last fmt 0-2 header used the extended timestamp field; fmt 3 chunks then carry one too. */
  extended: boolean;
  parts: Buffer[];
  received: number;
}

const MESSAGE_HEADER_SIZE = [11, 7, 3, 0];
const EXTENDED = 0xffffff;

/** Thrown by `push` on bytes that cannot be a chunk stream; the client maps it to a failure. */
export class ChunkError extends Error {
  override name = 'ChunkError';
}

/**
 * Incremental chunk parser. Headers are parsed only when complete; payload
 * bytes are taken as they arrive, so a large chunk size never forces the
 * parser to copy a growing buffer.
 */
export class ChunkParser {
  private chunkSize = 128;
  private pending: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, ChunkStreamState>();
  /** The chunk whose payload is still arriving, and how many of its bytes are missing. */
  private current: { csid: number; st: ChunkStreamState; left: number } | null = null;
  /** Bytes held in messages still being assembled, over every chunk stream. */
  private partial = 0;

  constructor(private readonly onMessage: (m: RtmpMessage) => void) {}

  /** Applies a peer's Set Chunk Size; takes effect from the next chunk header. */
  setChunkSize(n: number): void {
    if (n < 1 || n > 0x7fffffff) throw new ChunkError(`invalid chunk size ${n}`);
    this.chunkSize = n;
  }

  /** Applies a peer's Abort Message: the partial message on `csid` is dropped. */
  abort(csid: number): void {
    const st = this.streams.get(csid);
    if (st) {
      this.partial -= st.received;
      st.parts = [];
      st.received = 0;
    }
    if (this.current?.csid === csid) this.current = null;
  }

  push(data: Buffer): void {
    const buf = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    let pos = 0;
    for (;;) {
      if (this.current) {
        const take = Math.min(this.current.left, buf.length - pos);
        if (take === 0) break;
        this.takePayload(buf.subarray(pos, pos + take));
        pos += take;
        continue;
      }
      const used = this.parseHeader(buf, pos);
      if (used === 0) break;
      pos += used;
    }
    this.pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : Buffer.alloc(0);
  }

  private takePayload(bytes: Buffer): void {
    const cur = this.current!;
    cur.st.parts.push(bytes);
    cur.st.received += bytes.length;
    this.partial += bytes.length;
    cur.left -= bytes.length;
    if (cur.left > 0) return;
    this.current = null;
    if (cur.st.received >= cur.st.length) this.complete(cur.csid, cur.st);
  }

  private complete(csid: number, st: ChunkStreamState): void {
    const body = st.parts.length === 1 ? st.parts[0] : Buffer.concat(st.parts);
    this.partial -= st.received;
    st.parts = [];
    st.received = 0;
    this.onMessage({ csid, typeId: st.typeId, streamId: st.streamId, timestamp: st.timestamp >>> 0, body });
  }

  /** Returns the header length consumed, or 0 when more bytes are needed. */
  private parseHeader(buf: Buffer, start: number): number {
    const avail = buf.length - start;
    if (avail < 1) return 0;
    const fmt = buf[start] >> 6;
    let csid = buf[start] & 0x3f;
    let p = start + 1;
    if (csid === 0) {
      if (avail < 2) return 0;
      csid = 64 + buf[p];
      p += 1;
    } else if (csid === 1) {
      if (avail < 3) return 0;
      csid = 64 + buf[p] + buf[p + 1] * 256;
      p += 2;
    }
    const mhl = MESSAGE_HEADER_SIZE[fmt];
    if (buf.length - p < mhl) return 0;
    let st = this.streams.get(csid);
    if (!st) {
      // Lenient: some servers open a chunk stream with fmt 1; missing fields start at zero.
      st = { timestamp: 0, delta: 0, length: 0, typeId: 0, streamId: 0, extended: false, parts: [], received: 0 };
      this.streams.set(csid, st);
    }
    let tsField = 0;
    let length = st.length;
    let typeId = st.typeId;
    let streamId = st.streamId;
    if (fmt <= 2) tsField = buf.readUIntBE(p, 3);
    if (fmt <= 1) {
      length = buf.readUIntBE(p + 3, 3);
      typeId = buf[p + 6];
    }
    if (fmt === 0) streamId = buf.readUInt32LE(p + 7);
    p += mhl;
    const extended = fmt <= 2 ? tsField === EXTENDED : st.extended;
    if (extended) {
      if (buf.length - p < 4) return 0;
      const ext = buf.readUInt32BE(p);
      p += 4;
      if (fmt <= 2) tsField = ext;
    }
    // Everything needed is present: only now mutate the state.
    const newMessage = st.received === 0;
    if (newMessage || fmt !== 3) {
      const limit = maxBodyBytes(typeId);
      if (length > limit) throw new ChunkError(`a message of ${length} bytes (type ${typeId}), over the ${limit}-byte limit for its type`);
    }
    if (!newMessage && fmt !== 3) {
      // A full header in the middle of a message: the sender gave up on it.
      this.partial -= st.received;
      st.parts = [];
      st.received = 0;
    }
    st.extended = extended;
    if (fmt === 0) {
      st.timestamp = tsField;
      st.delta = 0;
    } else if (fmt === 1 || fmt === 2) {
      st.delta = tsField;
      st.timestamp = (st.timestamp + tsField) >>> 0;
    } else if (newMessage) {
      st.timestamp = (st.timestamp + st.delta) >>> 0;
    }
    st.length = length;
    st.typeId = typeId;
    st.streamId = streamId;
    const left = Math.min(this.chunkSize, length - st.received);
    if (this.partial + left > MAX_PARTIAL_BYTES) throw new ChunkError(`over ${MAX_PARTIAL_BYTES} bytes of unfinished messages`);
    if (left === 0) this.complete(csid, st);
    else this.current = { csid, st, left };
    return p - start;
  }
}

function basicHeader(fmt: number, csid: number): Buffer {
  if (csid >= 2 && csid < 64) return Buffer.from([(fmt << 6) | csid]);
  if (csid < 64 + 256) return Buffer.from([fmt << 6, csid - 64]);
  const id = csid - 64;
  return Buffer.from([(fmt << 6) | 1, id & 0xff, id >> 8]);
}

/** Serialises one message as a fmt 0 chunk and fmt 3 continuations; used for everything the client sends. */
export function writeChunks(m: RtmpMessage, chunkSize: number): Buffer {
  const extended = m.timestamp >= EXTENDED;
  const header = Buffer.alloc(11);
  header.writeUIntBE(extended ? EXTENDED : m.timestamp, 0, 3);
  header.writeUIntBE(m.body.length, 3, 3);
  header[6] = m.typeId;
  header.writeUInt32LE(m.streamId, 7);
  const ext = Buffer.alloc(extended ? 4 : 0);
  if (extended) ext.writeUInt32BE(m.timestamp >>> 0, 0);
  const out: Buffer[] = [basicHeader(0, m.csid), header, ext];
  for (let off = 0; off < m.body.length || off === 0; off += chunkSize) {
    if (off > 0) out.push(basicHeader(3, m.csid), ext);
    out.push(m.body.subarray(off, off + chunkSize));
    if (m.body.length === 0) break;
  }
  return Buffer.concat(out);
}

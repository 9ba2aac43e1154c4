// Streaming FLV parser: turns an FLV byte stream (HTTP-FLV bodies, RTMP
// aggregate messages) into tags as bytes arrive. Muxing and codec parsing
// live in ./flv/; this file only finds tag boundaries.

import type { FlvTag } from './types';

/** Thrown by `push`; `notFlv` means the stream never was FLV (no "FLV" signature). */
export class FlvStreamError extends Error {
  override name = 'FlvStreamError';
  constructor(message: string, readonly notFlv: boolean) {
    super(message);
  }
}

const TAG_HEADER = 11;
const PREV_TAG_SIZE = 4;

function hexHead(b: Buffer, n = 8): string {
  return b.subarray(0, n).toString('hex').replace(/(..)/g, '$1 ').trim();
}

export class FlvStreamParser {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes still to skip before the next tag header (header padding, PreviousTagSize). */
  private skip = 0;
  private headerDone: boolean;

  private readonly onHeader?: () => void;

  /**
   * `header: false` for a bare tag sequence (RTMP aggregate bodies carry no FLV header).
   * `onHeader` runs once the header is verified, before any tag of the same push.
   */
  constructor(private readonly onTag: (tag: FlvTag) => void, opts: { header: boolean; onHeader?: () => void } = { header: true }) {
    this.headerDone = !opts.header;
    this.onHeader = opts.onHeader;
  }

  get headerSeen(): boolean {
    return this.headerDone;
  }

  /** Bytes held back because the tag they belong to is incomplete. */
  get buffered(): number {
    return this.pending.length;
  }

  push(data: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    let pos = 0;
    if (!this.headerDone) {
      const sig = buf.subarray(0, 3).toString('latin1');
      if (!'FLV'.startsWith(sig)) {
        throw new FlvStreamError(`body starts with ${hexHead(buf)}, not the FLV signature`, true);
      }
      if (buf.length < 9) {
        this.pending = Buffer.from(buf);
        return;
      }
      const offset = buf.readUInt32BE(5);
      if (offset < 9) throw new FlvStreamError(`FLV header data offset ${offset} < 9`, true);
      this.headerDone = true;
      this.skip = offset + PREV_TAG_SIZE;
      this.onHeader?.();
    }
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, buf.length - pos);
        this.skip -= n;
        pos += n;
        if (this.skip > 0) break;
      }
      if (buf.length - pos < TAG_HEADER) break;
      const size = buf.readUIntBE(pos + 1, 3);
      if (buf.length - pos < TAG_HEADER + size) break;
      // Bits 5-7 of the type byte are the filter flag and reserved bits.
      const type = buf[pos] & 0x1f;
      const timestamp = (buf.readUIntBE(pos + 4, 3) | (buf[pos + 7] << 24)) >>> 0;
      const body = buf.subarray(pos + TAG_HEADER, pos + TAG_HEADER + size);
      pos += TAG_HEADER + size;
      this.skip = PREV_TAG_SIZE;
      if (type === 8 || type === 9 || type === 18) this.onTag({ type, timestamp, data: Buffer.from(body) });
    }
    // Copy what is kept so the caller's (possibly large) chunk can be freed.
    buf = buf.subarray(pos);
    this.pending = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
  }
}

/** Splits an RTMP aggregate message (type 22) into tags, re-basing their timestamps on the message's. */
export function splitAggregate(body: Buffer, messageTimestamp: number): FlvTag[] {
  const tags: FlvTag[] = [];
  new FlvStreamParser((t) => tags.push(t), { header: false }).push(body);
  const base = tags.length ? tags[0].timestamp : 0;
  return tags.map((t) => ({ ...t, timestamp: (messageTimestamp + (t.timestamp - base)) >>> 0 }));
}

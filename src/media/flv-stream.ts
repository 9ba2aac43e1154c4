// Streaming FLV parser: turns an FLV byte stream (HTTP-FLV bodies, RTMP
// aggregate messages) into tags as bytes arrive. Muxing and codec parsing
// live in ./flv/; this file only finds tag boundaries.

import type { FlvTag } from './types';
import { maxBodyBytes } from './limits';

/**
 * Thrown by `push`; `notFlv` means the stream never was FLV (no "FLV" signature).
 * The message names the kind of fault only; `peek` holds the peer's first
 * bytes in hex, for debug logs (a status message must not echo a peer).
 */
export class FlvStreamError extends Error {
  override name = 'FlvStreamError';
  constructor(message: string, readonly notFlv: boolean, readonly peek?: string) {
    super(message);
  }
}

const TAG_HEADER = 11;
const PREV_TAG_SIZE = 4;

function hexHead(b: Buffer, n = 8): string {
  return b.subarray(0, n).toString('hex').replace(/(..)/g, '$1 ').trim();
}

export class FlvStreamParser {
  /** Bytes held back because the tag they belong to is incomplete, as received. */
  private parts: Buffer[] = [];
  private partsLen = 0;
  /** Bytes `parts` must reach before parsing can go on: a dripped tag is joined once, not on every read. */
  private need = 0;
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
    return this.partsLen;
  }

  push(data: Buffer): void {
    if (this.partsLen > 0 && this.partsLen + data.length < this.need) {
      this.parts.push(Buffer.from(data));
      this.partsLen += data.length;
      return;
    }
    const buf = this.partsLen ? Buffer.concat([...this.parts, data]) : data;
    this.parts = [];
    this.partsLen = 0;
    this.need = 0;
    let pos = 0;
    if (!this.headerDone) {
      const sig = buf.subarray(0, 3).toString('latin1');
      if (!'FLV'.startsWith(sig)) {
        throw new FlvStreamError('the body is not FLV (no FLV signature)', true, hexHead(buf));
      }
      if (buf.length < 9) {
        this.keep(buf, 9);
        return;
      }
      const offset = buf.readUInt32BE(5);
      if (offset < 9) throw new FlvStreamError('the FLV header is malformed (data offset < 9)', true, hexHead(buf));
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
      // Bits 5-7 of the type byte are the filter flag and reserved bits.
      const type = buf[pos] & 0x1f;
      const limit = maxBodyBytes(type);
      if (size > limit) throw new FlvStreamError(`a tag of ${size} bytes (type ${type}), over the ${limit}-byte limit for its type`, false);
      if (buf.length - pos < TAG_HEADER + size) {
        this.keep(buf.subarray(pos), TAG_HEADER + size);
        return;
      }
      const timestamp = (buf.readUIntBE(pos + 4, 3) | (buf[pos + 7] << 24)) >>> 0;
      const body = buf.subarray(pos + TAG_HEADER, pos + TAG_HEADER + size);
      pos += TAG_HEADER + size;
      this.skip = PREV_TAG_SIZE;
      if (type === 8 || type === 9 || type === 18) this.onTag({ type, timestamp, data: Buffer.from(body) });
    }
    this.keep(buf.subarray(pos), TAG_HEADER);
  }

  // Copies what is kept so the caller's (possibly large) chunk can be freed.
  private keep(rest: Buffer, need: number): void {
    if (rest.length === 0) return;
    this.parts = [Buffer.from(rest)];
    this.partsLen = rest.length;
    this.need = need;
  }
}

/** Splits an RTMP aggregate message (type 22) into tags, re-basing their timestamps on the message's. */
export function splitAggregate(body: Buffer, messageTimestamp: number): FlvTag[] {
  const tags: FlvTag[] = [];
  new FlvStreamParser((t) => tags.push(t), { header: false }).push(body);
  const base = tags.length ? tags[0].timestamp : 0;
  return tags.map((t) => ({ ...t, timestamp: (messageTimestamp + (t.timestamp - base)) >>> 0 }));
}

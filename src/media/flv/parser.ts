// Streaming FLV byte → tag parser. The HTTP-FLV reader hands it socket chunks
// cut anywhere (mid-header, mid-tag), and the tests use it to read ffmpeg's
// files; it returns whole tags and keeps the remainder for the next chunk.
import type { FlvTag } from '../types';

export class FlvParseError extends Error {
  override name = 'FlvParseError';
}

export interface FlvFileHeader {
  version: number;
  hasAudio: boolean;
  hasVideo: boolean;
}

export interface FlvParserOptions {
  /** False when the bytes start at the first tag (no 'FLV' file header, no PreviousTagSize0). */
  expectHeader?: boolean;
}

const TAG_HEADER = 11;
const PREV_SIZE = 4;

export class FlvParser {
  header: FlvFileHeader | null = null;
  /** Tags of types other than 8/9/18, and encrypted (filtered) tags: dropped, counted. */
  skipped = 0;
  /** PreviousTagSize fields that disagreed with the tag before them; servers get this wrong, so it is only counted. */
  badPrevSizes = 0;
  private rest: Buffer[] = [];
  private restLen = 0;
  /** Bytes needed before parsing can make progress; chunks are only joined once that many are here. */
  private need = 1;
  private needHeader: boolean;

  constructor(opts: FlvParserOptions = {}) {
    this.needHeader = opts.expectHeader ?? true;
  }

  /** Bytes held back waiting for the rest of a header or tag. */
  get buffered(): number {
    return this.restLen;
  }

  /**
   * Consumes a chunk and returns the tags it completes. Tag bodies are views
   * into the received chunks, not copies. Throws FlvParseError when the
   * stream does not start with an FLV header (the 'not-flv' reader failure).
   */
  push(chunk: Buffer): FlvTag[] {
    const tags: FlvTag[] = [];
    this.rest.push(chunk);
    this.restLen += chunk.length;
    // A big tag arriving in many small chunks would otherwise be re-joined once per chunk.
    if (this.restLen < this.need) return tags;
    const buf = this.rest.length === 1 ? this.rest[0]! : Buffer.concat(this.rest, this.restLen);
    let p = 0;
    if (this.needHeader) {
      // Reject early: three bytes are enough to tell an HTML error page from FLV.
      const sig = Buffer.from('FLV');
      const n = Math.min(3, buf.length);
      if (!buf.subarray(0, n).equals(sig.subarray(0, n))) throw new FlvParseError('stream is not FLV');
      if (buf.length < 9) return this.keep(buf, 0, 9, tags);
      const dataOffset = buf.readUInt32BE(5);
      if (dataOffset < 9) throw new FlvParseError(`bad FLV header size ${dataOffset}`);
      if (buf.length < dataOffset + PREV_SIZE) return this.keep(buf, 0, dataOffset + PREV_SIZE, tags);
      this.header = { version: buf[3]!, hasAudio: (buf[4]! & 4) !== 0, hasVideo: (buf[4]! & 1) !== 0 };
      p = dataOffset + PREV_SIZE;
      this.needHeader = false;
    }
    let need = TAG_HEADER;
    while (buf.length - p >= TAG_HEADER) {
      const size = buf.readUIntBE(p + 1, 3);
      const end = p + TAG_HEADER + size + PREV_SIZE;
      need = end - p;
      if (buf.length < end) break;
      need = TAG_HEADER;
      const typeByte = buf[p]!;
      const type = typeByte & 0x1f;
      // Extended timestamp byte holds bits 31..24 (FLV spec E.4.1).
      const timestamp = (buf[p + 7]! * 0x1000000 + buf.readUIntBE(p + 4, 3)) >>> 0;
      if (buf.readUInt32BE(end - PREV_SIZE) !== TAG_HEADER + size) this.badPrevSizes += 1;
      if ((typeByte & 0x20) === 0 && (type === 8 || type === 9 || type === 18)) {
        tags.push({ type, timestamp, data: buf.subarray(p + TAG_HEADER, p + TAG_HEADER + size) });
      } else {
        this.skipped += 1;
      }
      p = end;
    }
    return this.keep(buf, p, need, tags);
  }

  private keep(buf: Buffer, from: number, need: number, tags: FlvTag[]): FlvTag[] {
    // Copy the remainder so a big socket chunk is not pinned by a few trailing bytes.
    this.rest = from < buf.length ? [Buffer.from(buf.subarray(from))] : [];
    this.restLen = buf.length - from;
    this.need = need;
    return tags;
  }
}

/** Parses a whole FLV file held in memory (tests, fixtures). */
export function parseFlv(bytes: Buffer): { header: FlvFileHeader | null; tags: FlvTag[] } {
  const parser = new FlvParser();
  const tags = parser.push(bytes);
  return { header: parser.header, tags };
}

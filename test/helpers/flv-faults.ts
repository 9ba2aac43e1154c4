// Tag-level faults for an FLV byte stream: corrupt payload bytes, drop whole
// tags, jump timestamps. The stream is cut into whole tags (tag + its
// PreviousTagSize), each rewritten or left out, so what comes out is always a
// valid FLV stream: removing a tag together with the PreviousTagSize that
// follows it keeps every remaining PreviousTagSize right. Used by
// ./flv-tamper.ts on HTTP-FLV bodies.
import { performance } from 'node:perf_hooks';

export interface FlipOptions {
  /** 9: corrupt bytes inside H.264 slice NAL units of non-key frames; 8: inside AAC raw frames. */
  tagType: 8 | 9;
  /** Corrupt one eligible tag in `every`. */
  every: number;
  /** Bytes flipped (XOR 0xff) per corrupted tag. */
  count: number;
  /**
   * Video only: 'slice-data' (default) corrupts bytes inside the slice, which
   * libav conceals; 'nal-header' corrupts the NAL length prefix and header, so
   * the decoder cannot split the frame and loses it.
   */
  where?: 'slice-data' | 'nal-header';
}

export interface DropOptions {
  tagType: 8 | 9;
  /** Drop one eligible media tag in `every` (sequence headers are never dropped). */
  every: number;
  /** Also drop video key frames (default false: the decoder can resync on the next one). */
  keyFrames?: boolean;
}

export interface ShiftOptions {
  /** Wall-clock ms from the call after which every tag's timestamp is shifted. */
  afterMs: number;
  /** Added to the timestamps from then on (negative: a jump back), once: a single discontinuity. */
  jumpMs: number;
  /** The shifted timestamps are taken modulo this (2^31 or 2^32: a clock that wraps); default 2^32, the field's own width. */
  wrapMs?: number;
}

/** The tag faults in force; the proxy owns one and mutates it. */
export interface TagFaults {
  flip: FlipOptions | null;
  drop: DropOptions | null;
  /** `from` is performance.now() ms. */
  shift: { from: number; jumpMs: number; wrapMs?: number } | null;
  /** A stall in 'drop' mode: every tag arriving is discarded. */
  dropAll: boolean;
}

export interface TagCounters {
  /** HTTP responses recognised as FLV bodies (and so rewritten tag by tag). */
  flvBodies: number;
  tagsSeen: number;
  tagsFlipped: number;
  bytesFlipped: number;
  tagsDropped: number;
  tagsShifted: number;
}

export function zeroTagCounters(): TagCounters {
  return { flvBodies: 0, tagsSeen: 0, tagsFlipped: 0, bytesFlipped: 0, tagsDropped: 0, tagsShifted: 0 };
}

const TAG_HEADER = 11;
const PREV = 4;

/**
 * Streaming rewriter of an FLV body (file header first); whole tags out, one
 * buffer per tag (so jitter can delay each tag on its own), partial ones held back.
 */
export class FlvTagRewriter {
  private pending: Buffer = Buffer.alloc(0);
  private headerDone = false;
  /** Not FLV after all: bytes pass untouched. */
  private passThrough = false;
  private nalLengthSize = 4;
  private flipSeen = 0;
  private dropSeen = 0;

  constructor(private readonly faults: TagFaults, private readonly counters: TagCounters) {}

  push(chunk: Buffer): Buffer[] {
    if (this.passThrough) return [chunk];
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    let p = 0;
    if (!this.headerDone) {
      if (buf.length < 9) return this.hold(buf, 0, out);
      if (buf.toString('latin1', 0, 3) !== 'FLV') {
        this.passThrough = true;
        this.pending = Buffer.alloc(0);
        return [buf];
      }
      const end = buf.readUInt32BE(5) + PREV;
      if (buf.length < end) return this.hold(buf, 0, out);
      out.push(buf.subarray(0, end));
      p = end;
      this.headerDone = true;
      this.counters.flvBodies += 1;
    }
    while (buf.length - p >= TAG_HEADER) {
      const size = buf.readUIntBE(p + 1, 3);
      const end = p + TAG_HEADER + size + PREV;
      if (buf.length < end) break;
      const tag = this.rewrite(buf.subarray(p, end));
      if (tag) out.push(tag);
      p = end;
    }
    buf = buf.subarray(p);
    return this.hold(buf, 0, out);
  }

  /** Whatever is held back (a tag cut by the end of the body), unchanged. */
  flush(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }

  private hold(buf: Buffer, from: number, out: Buffer[]): Buffer[] {
    this.pending = Buffer.from(buf.subarray(from));
    return out;
  }

  /** One tag with its trailing PreviousTagSize; null when dropped. */
  private rewrite(raw: Buffer): Buffer | null {
    const f = this.faults;
    const type = raw[0]! & 0x1f;
    const body = raw.subarray(TAG_HEADER, raw.length - PREV);
    this.counters.tagsSeen += 1;
    if (type === 9 && body.length > 10 && (body[0]! & 0x0f) === 7 && body[1] === 0) {
      // AVCDecoderConfigurationRecord: lengthSizeMinusOne, needed to walk the NAL units.
      this.nalLengthSize = (body[5 + 4]! & 3) + 1;
    }
    if (f.dropAll) return this.dropped();
    if (f.drop && f.drop.tagType === type && isMedia(type, body) && (f.drop.keyFrames || !isKey(type, body))) {
      this.dropSeen += 1;
      if (this.dropSeen % Math.max(1, f.drop.every) === 0) return this.dropped();
    }
    let tag = raw;
    if (f.flip && f.flip.tagType === type && isMedia(type, body) && !isKey(type, body)) {
      this.flipSeen += 1;
      if (this.flipSeen % Math.max(1, f.flip.every) === 0) {
        const positions = type === 9 ? this.slicePositions(body, f.flip.count, f.flip.where) : aacPositions(body, f.flip.count);
        if (positions.length > 0) {
          tag = Buffer.from(raw);
          for (const i of positions) tag[TAG_HEADER + i] ^= 0xff;
          this.counters.tagsFlipped += 1;
          this.counters.bytesFlipped += positions.length;
        }
      }
    }
    if (f.shift && performance.now() >= f.shift.from && (type === 8 || type === 9)) {
      if (tag === raw) tag = Buffer.from(raw);
      const ts = Math.max(0, ((tag[7]! << 24) >>> 0) + tag.readUIntBE(4, 3) + f.shift.jumpMs) % (f.shift.wrapMs ?? 2 ** 32);
      tag.writeUIntBE(ts & 0xffffff, 4, 3);
      tag[7] = (ts >>> 24) & 0xff;
      this.counters.tagsShifted += 1;
    }
    return tag;
  }

  private dropped(): null {
    this.counters.tagsDropped += 1;
    return null;
  }

  /** Offsets (in the tag body) well inside slice NAL units: past the slice header, before the end. */
  private slicePositions(body: Buffer, count: number, where: FlipOptions['where'] = 'slice-data'): number[] {
    const n = this.nalLengthSize;
    let p = 5;
    while (p + n < body.length) {
      const len = body.readUIntBE(p, n);
      const start = p + n;
      const nalType = body[start]! & 0x1f;
      if (nalType === 1 && len >= 64 && start + len <= body.length) {
        if (where === 'nal-header') return [p, start];
        return spread(start + Math.floor(len * 0.3), start + Math.floor(len * 0.9), count);
      }
      p = start + len;
    }
    return [];
  }
}

/** AAC raw frame bytes, from its first byte (the syntax element id) on, so the decoder reliably trips. */
function aacPositions(body: Buffer, count: number): number[] {
  if ((body[0]! >> 4) !== 10 || body.length < 8) return [];
  return spread(2, body.length, count);
}

function spread(from: number, to: number, count: number): number[] {
  const span = to - from;
  const k = Math.min(count, span);
  const out: number[] = [];
  for (let i = 0; i < k; i++) out.push(from + Math.floor((i * span) / k));
  return out;
}

function isMedia(type: number, body: Buffer): boolean {
  if (body.length < 2) return false;
  if (type === 8) return (body[0]! >> 4) !== 10 || body[1] === 1;
  if (type !== 9 || ((body[0]! >> 4) & 7) === 5) return false;
  return (body[0]! & 0x0f) !== 7 || body[1] === 1;
}

function isKey(type: number, body: Buffer): boolean {
  return type === 9 && ((body[0]! >> 4) & 7) === 1;
}

// The server→client byte stream of one proxied connection, made FLV-aware
// when it is an HTTP-FLV response: the response header passes untouched, the
// body (raw, or `Transfer-Encoding: chunked` as node-media-server sends it)
// is de-framed, rewritten tag by tag (./flv-faults.ts) and re-framed. Anything
// else (RTMP starts with 0x03, non-200 answers, Content-Length bodies) passes
// through byte for byte. Used by ./fault-proxy.ts.
import { FlvTagRewriter, type TagCounters, type TagFaults } from './flv-faults';

type Mode = 'detect' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'raw-body' | 'pass';

const MAX_HEADER = 16384;

export class HttpFlvTamper {
  private mode: Mode = 'detect';
  private head: Buffer = Buffer.alloc(0);
  /** Bytes left in the current chunk (chunk-data) or of its CRLF (chunk-crlf). */
  private left = 0;
  private readonly rewriter: FlvTagRewriter;

  constructor(faults: TagFaults, counters: TagCounters) {
    this.rewriter = new FlvTagRewriter(faults, counters);
  }

  /** True once the body is being handled tag by tag (so a 'drop' stall can drop whole tags instead of bytes). */
  get tagAware(): boolean {
    return this.mode !== 'detect' && this.mode !== 'pass';
  }

  /** Bytes from the server in, pieces for the client out (one per tag in an FLV body; possibly none). */
  push(chunk: Buffer): Buffer[] {
    if (this.mode === 'pass') return [chunk];
    if (this.mode === 'detect') return this.detect(chunk);
    if (this.mode === 'raw-body') return this.rewriter.push(chunk);
    return this.dechunk(chunk);
  }

  /** The server ended the stream: whatever is held back goes out as it is. */
  flush(): Buffer {
    if (this.mode === 'detect') return this.pass();
    if (this.mode === 'pass') return Buffer.alloc(0);
    const rest = this.rewriter.flush();
    if (rest.length === 0) return rest;
    return this.mode === 'raw-body' ? rest : frame(rest);
  }

  private detect(chunk: Buffer): Buffer[] {
    this.head = Buffer.concat([this.head, chunk]);
    if (this.head.length >= 5 && this.head.toString('latin1', 0, 5) !== 'HTTP/') return [this.pass()];
    const end = this.head.indexOf('\r\n\r\n');
    if (end < 0) return this.head.length > MAX_HEADER ? [this.pass()] : [];
    const header = this.head.subarray(0, end + 4);
    const body = this.head.subarray(end + 4);
    const text = header.toString('latin1').toLowerCase();
    const ok = /^http\/1\.[01] 200/.test(text);
    const chunked = /\r\ntransfer-encoding:[^\r\n]*chunked/.test(text);
    const sized = /\r\ncontent-length:/.test(text);
    if (!ok || (!chunked && sized)) return [this.pass()];
    this.mode = chunked ? 'chunk-size' : 'raw-body';
    this.head = Buffer.alloc(0);
    return [header, ...this.push(body)];
  }

  private pass(): Buffer {
    this.mode = 'pass';
    const all = this.head;
    this.head = Buffer.alloc(0);
    return all;
  }

  /** Decodes chunk framing; the decoded body goes through the rewriter and out as one new chunk per tag. */
  private dechunk(chunk: Buffer): Buffer[] {
    const body: Buffer[] = [];
    let p = 0;
    let tail: Buffer | null = null;
    while (p < chunk.length && !tail) {
      if (this.mode === 'chunk-size') {
        const nl = chunk.indexOf('\n', p);
        if (nl < 0) {
          this.head = Buffer.concat([this.head, chunk.subarray(p)]);
          p = chunk.length;
          break;
        }
        const line = Buffer.concat([this.head, chunk.subarray(p, nl)]).toString('latin1');
        this.head = Buffer.alloc(0);
        p = nl + 1;
        const size = parseInt(line.split(';')[0]!.trim(), 16);
        if (!Number.isFinite(size) || size === 0) {
          // Last chunk (or framing we do not understand): the rest, trailers included, passes as it is.
          tail = Buffer.concat([Buffer.from(`${line}\n`, 'latin1'), chunk.subarray(p)]);
          this.mode = 'pass';
          break;
        }
        this.left = size;
        this.mode = 'chunk-data';
      } else if (this.mode === 'chunk-data') {
        const n = Math.min(this.left, chunk.length - p);
        body.push(chunk.subarray(p, p + n));
        p += n;
        this.left -= n;
        if (this.left === 0) {
          this.mode = 'chunk-crlf';
          this.left = 2;
        }
      } else {
        const n = Math.min(this.left, chunk.length - p);
        p += n;
        this.left -= n;
        if (this.left === 0) this.mode = 'chunk-size';
      }
    }
    const data = body.length === 0 ? [] : this.rewriter.push(body.length === 1 ? body[0]! : Buffer.concat(body));
    const parts = data.filter((d) => d.length > 0).map(frame);
    if (tail) {
      const rest = this.rewriter.flush();
      if (rest.length > 0) parts.push(frame(rest));
      parts.push(tail);
    }
    return parts;
  }
}

/** One HTTP chunk; never called with empty data (a zero-size chunk would end the body). */
function frame(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`, 'latin1'), data, Buffer.from('\r\n', 'latin1')]);
}

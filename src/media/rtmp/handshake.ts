// The simple (unsigned) RTMP handshake: C0+C1 out, S0+S1+S2 in, C2 out.
// nginx-rtmp and node-media-server both accept it from a player; the digest
// variant only matters to Flash-era servers that insist on it.

import { randomBytes } from 'node:crypto';

export const RTMP_VERSION = 3;
const SIG_SIZE = 1536;

export type HandshakeStep =
  | { state: 'need-more' }
  | { state: 'failed'; detail: string; peek: string }
  /** `c2` must be written before anything else; `rest` holds chunk-stream bytes that arrived with S2. */
  | { state: 'done'; c2: Buffer; rest: Buffer };

/** C0 (version byte) and C1 (time, zero, 1528 random bytes), sent together in one write. */
export function clientHello(): Buffer {
  const c1 = Buffer.alloc(SIG_SIZE);
  randomBytes(SIG_SIZE - 8).copy(c1, 8);
  return Buffer.concat([Buffer.from([RTMP_VERSION]), c1]);
}

/** Collects S0+S1+S2 from the socket and judges S0 as soon as it arrives. */
export class HandshakeReader {
  private got: Buffer[] = [];
  private size = 0;

  push(data: Buffer): HandshakeStep {
    this.got.push(data);
    this.size += data.length;
    const all = this.got.length === 1 ? this.got[0] : Buffer.concat(this.got);
    this.got = [all];
    if (all[0] !== RTMP_VERSION) {
      const head = all.subarray(0, 8).toString('hex').replace(/(..)/g, '$1 ').trim();
      // The peer's bytes go to the debug log only: a status message must not map other services.
      return { state: 'failed', detail: 'the peer does not speak RTMP (no RTMP version byte)', peek: head };
    }
    if (this.size < 1 + 2 * SIG_SIZE) return { state: 'need-more' };
    // C2 echoes S1, as the simple handshake asks.
    const c2 = Buffer.from(all.subarray(1, 1 + SIG_SIZE));
    return { state: 'done', c2, rest: all.subarray(1 + 2 * SIG_SIZE) };
  }
}

// MSB-first bit reader with Exp-Golomb codes (H.264 7.2 / 9.1), for the SPS.
// Reading past the end throws: a truncated SPS must not yield a made-up size.

export class BitReader {
  private pos = 0; // in bits

  constructor(private readonly buf: Buffer) {}

  get bitsLeft(): number {
    return this.buf.length * 8 - this.pos;
  }

  u1(): number {
    if (this.pos >= this.buf.length * 8) throw new RangeError('bitstream ended');
    const bit = (this.buf[this.pos >> 3]! >> (7 - (this.pos & 7))) & 1;
    this.pos += 1;
    return bit;
  }

  /** n <= 32 bits, unsigned. */
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.u1();
    return v;
  }

  skip(n: number): void {
    if (n > this.bitsLeft) throw new RangeError('bitstream ended');
    this.pos += n;
  }

  /** ue(v): unsigned Exp-Golomb. */
  ue(): number {
    let zeros = 0;
    while (this.u1() === 0) {
      zeros += 1;
      // 32 leading zeros cannot occur in a valid SPS; stop before the number overflows.
      if (zeros > 31) throw new RangeError('Exp-Golomb code too long');
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** se(v): signed Exp-Golomb, 1 → 1, 2 → -1, 3 → 2, ... */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}

/** Removes emulation prevention bytes (00 00 03 → 00 00) to get the RBSP of a NAL unit. */
export function unescapeRbsp(nal: Buffer): Buffer {
  const out = Buffer.allocUnsafe(nal.length);
  let n = 0;
  let zeros = 0;
  for (let i = 0; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out[n++] = b;
  }
  return out.subarray(0, n);
}

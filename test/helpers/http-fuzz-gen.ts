// Generators for the robustness test: seeded, so a failure can be replayed.
// Every structured request they make is invalid by construction (it must be
// refused), so "attributes unchanged afterwards" is a fair expectation.

/** mulberry32: small, seeded, good enough to spread cases. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  constructor(readonly r: () => number) {}

  int(n: number): number {
    return Math.floor(this.r() * n);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }

  string(max = 40): string {
    const pool = ['a', 'Z', '0', ' ', '"', '\\', '/', '.', '%', '\u0000', '\n', '\u00e9', '\u4e2d', '\ud83d\ude00', '\ud800', '<', '$'];
    let s = '';
    const n = this.int(max);
    for (let i = 0; i < n; i++) s += this.pick(pool);
    return s;
  }

  /** A random JSON value, depth-limited. */
  value(depth = 0): unknown {
    const k = this.int(depth > 2 ? 4 : 7);
    switch (k) {
      case 0:
        return this.pick([this.string(), 'file:///etc/passwd', 'javascript:alert(1)', 'rtmp://', 'x'.repeat(this.int(5000)), 'rtmp://h/\u0000x', 'data:,x']);
      case 1:
        return this.pick([0, -0, -1, 1.5, 61, 1e308, -1e308, 2 ** 53 + 1, 1e-320, 123456789]);
      case 2:
        return this.r() < 0.5;
      case 3:
        return null;
      case 4:
        return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
      default:
        return this.object(depth + 1);
    }
  }

  key(): string {
    return this.pick(['src', 'mode', 'autoplay', 'muted', 'orientation', 'objectFit', 'backgroundMute', 'minCache', 'maxCache', 'soundMode', '__proto__', 'constructor', 'prototype', '', 'direction', 'quality', 'toString', 'a'.repeat(200), '\u0000', 'hasOwnProperty']);
  }

  /** An object with no prototype, so "__proto__" is a plain own key that JSON.stringify writes out. */
  object(depth = 0): Record<string, unknown> {
    const o = Object.create(null) as Record<string, unknown>;
    const n = 1 + this.int(4);
    for (let i = 0; i < n; i++) o[this.key()] = this.value(depth);
    return o;
  }

  /** A patch that is certainly refused: random noise plus at least one bad field. */
  badPatch(): Record<string, unknown> {
    const o = this.r() < 0.5 ? this.object() : (Object.create(null) as Record<string, unknown>);
    const [k, v] = this.pick<[string, unknown]>([
      ['muted', 'true'], ['muted', 1], ['src', 'file:///etc/passwd'], ['src', 42], ['src', 'x'.repeat(2100)], ['mode', 'vod'], ['minCache', -1],
      ['maxCache', 1e308], ['orientation', null], ['objectFit', []], ['soundMode', {}], ['loudness', 1], ['__proto__', { muted: true }],
      ['constructor', { prototype: { muted: true } }], ['autoplay', 'yes'], ['backgroundMute', 0],
    ]);
    o[k] = v;
    return o;
  }

  /** Malformed JSON text. */
  badJson(): string {
    return this.pick([
      () => '{"muted":tru',
      () => '{"muted":true,}',
      () => `${'['.repeat(4000)}${']'.repeat(3999)}`,
      () => `${'{"a":'.repeat(2000)}1${'}'.repeat(1999)}`,
      () => this.bytes(1 + this.int(300)).toString('latin1'),
      () => '{"__proto__":{"muted":true}}',
      () => '{"constructor":{"prototype":{"muted":true}}}',
      () => '{"muted":true}{"muted":false}',
      () => '\u0000',
      () => '"muted"',
      () => 'NaN',
    ])();
  }
}

/** Raw bytes that try to look like HTTP, for the TCP part; none carries the token. */
export function rawPayload(g: Gen, port: number): Buffer {
  const host = `127.0.0.1:${port}`;
  return g.pick([
    () => g.bytes(1 + g.int(4096)),
    () => Buffer.concat([Buffer.from(`POST /api/v1/player/mute HTTP/1.1\r\nHost: ${host}\r\n`), g.bytes(g.int(512))]),
    () => Buffer.concat([Buffer.from(`${g.pick(['GET', 'PATCH', 'BREW', 'G\u0000T', ''])} /${g.string(20)} HTTP/1.${g.int(3)}\r\n`), g.bytes(g.int(128)), Buffer.from('\r\n\r\n')]),
    () => Buffer.from(`GET /api/v1/player HTTP/1.1\r\nHost: ${host}\r\nX: ${'a'.repeat(20_000 + g.int(50_000))}\r\n\r\n`),
    () => Buffer.from(`PATCH /api/v1/player HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`),
    () => Buffer.from(`PATCH /api/v1/player HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\n${g.pick(['zz', 'ffffffffffffffff', '-1', '5'])}\r\n${g.string(10)}\r\n0\r\n\r\n`),
    () => Buffer.from(`GET /../../etc/passwd HTTP/1.1\r\nHost: ${host}\r\n\r\n`),
    () => Buffer.from(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\n${'X-A: b\r\n'.repeat(2000 + g.int(500))}\r\n`),
    () => Buffer.from(`GET http://evil.example/api/v1/player HTTP/1.1\r\nHost: evil.example\r\n\r\n`),
    () => Buffer.from(`\r\n\r\n\r\n${g.string(50)}`),
  ])();
}

// What the daemon's own stream readers deliver. Both RTMP and HTTP-FLV are
// reduced to FLV tags, so everything after the reader (the appsrc feed, the
// status codes, the network figures) is the same for both protocols.

/** One FLV tag: 8 audio, 9 video, 18 script data. `data` is the tag body (no 11-byte header). */
export interface FlvTag {
  type: 8 | 9 | 18;
  /** Milliseconds, 32-bit extended timestamp already applied. */
  timestamp: number;
  data: Buffer;
}

/** Why a reader stopped, with the status code that says so (null: no code fits). */
export interface ReaderFailure {
  code: 3001 | 3002 | 3003 | 3005 | -2302 | null;
  kind: 'dns' | 'refused' | 'connect-timeout' | 'handshake' | 'rejected' | 'read' | 'closed' | 'http-status' | 'not-flv' | 'tls-untrusted' | 'limit';
  /** What was seen, for the code's message, e.g. "ECONNREFUSED 127.0.0.1:1935". Names the kind of failure; never quotes the peer. */
  detail: string;
  /** What the peer sent (first bytes, an HTTP status line), for debug logs only. */
  debug?: string;
}

export interface ReaderEvents {
  /** TCP (and for RTMP the handshake and `connect`) succeeded: code 2001. */
  connected(info: { address: string; port: number; ms: number }): void;
  /** The server accepted the play request and media starts (RTMP NetStream.Play.Start or the first tag; HTTP 200 with an FLV header): code 2002. */
  started(): void;
  /** Every received tag, in order. `arrival` is performance.now() when its last byte arrived. */
  tag(tag: FlvTag, arrival: number): void;
  /** Raw bytes read from the socket (for netSpeed). */
  bytes(n: number): void;
  /** The publisher stopped and the server said so (RTMP UnpublishNotify / Play.Stop, HTTP body ended cleanly): code 2006. */
  ended(detail: string): void;
  /** The reader is finished and will emit nothing more. */
  failed(f: ReaderFailure): void;
}

export interface ReaderOptions {
  connectTimeoutMs: number;
  /** Extra trusted CA certificates (PEM) for rtmps and https, besides the system's. */
  ca?: string[];
  /** Time allowed for the RTMP handshake / HTTP status line after TCP connects. */
  handshakeTimeoutMs: number;
  /**
   * Once a plain-TCP RTMP stream is steady, the pause after each socket read
   * so that the bytes arriving meanwhile come in one read (see
   * rtmp/client.ts). Absent or 0: every read is taken as it comes.
   */
  steadyReadGapMs?: number;
}

export interface StreamReader {
  start(): void;
  /** Closes the connection; no events follow. Idempotent. */
  close(): void;
}

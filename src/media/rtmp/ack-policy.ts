// When the player writes an RTMP Acknowledgement (message type 3) for the
// bytes it has read.
//
// While a stream starts, every read is acknowledged at once. nginx-rtmp and
// node-media-server write with Nagle on: their next small message (a command
// result, the metadata, the last segment of the first key frame) waits for our
// TCP ACK, which the kernel delays ~40 ms when we have nothing to send; the
// Acknowledgement carries it at once. Once the first key frame has been in
// for a while, nothing waits on a few ms any more, and one write per socket
// read is only cost: a syscall and a stream write about 80 times a second at
// 2 Mb/s, measured as 5 % of a playing worker's samples. From then on the
// protocol's own rule holds: one Acknowledgement per half window (as
// ffmpeg's rtmpproto and librtmp do), so a server that throttles on its
// window never waits.
import { performance } from 'node:perf_hooks';

/** The window until the server announces one (Flash Player's and nginx-rtmp's default is larger). */
export const DEFAULT_WINDOW = 2_500_000;
/** How long after the first video key frame every read is still acknowledged (a GOP cache's burst, the first frames). */
export const PROMPT_AFTER_KEY_FRAME_MS = 2000;

export class AckPolicy {
  private window = DEFAULT_WINDOW;
  private lastAck = 0;
  private promptUntil = Infinity;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The server's Window Acknowledgement Size (message type 5). */
  setWindow(bytes: number): void {
    if (Number.isFinite(bytes) && bytes > 0) this.window = bytes;
  }

  /** A video key frame came in: reads stay prompt a little longer, then follow the window. */
  keyFrame(): void {
    if (this.promptUntil === Infinity) this.promptUntil = this.now() + PROMPT_AFTER_KEY_FRAME_MS;
  }

  /** The start is over: nothing waits on a few milliseconds any more. */
  get steady(): boolean {
    return this.now() >= this.promptUntil;
  }

  /** The sequence number to acknowledge after a read that brought the total to `bytesIn`, or null for none. */
  afterRead(bytesIn: number): number | null {
    if (bytesIn <= this.lastAck) return null;
    if (this.steady && bytesIn - this.lastAck < this.window / 2) return null;
    this.lastAck = bytesIn;
    return bytesIn;
  }
}

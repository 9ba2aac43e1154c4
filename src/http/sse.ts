// Server-sent events for many subscribers. Written here rather than taken
// from a plugin (@fastify/sse, fastify-sse-v2) because what matters is the
// fan-out policy: each event is serialised once and written to every socket,
// and a subscriber that stops reading is dropped once its unsent bytes pass
// a bound, so a stuck phone can neither slow the player nor eat memory.
import type { ServerResponse } from 'node:http';

export interface SseOptions {
  /** Unsent bytes a subscriber may hold before it is dropped (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Interval of the keep-alive comment (default 15 s). */
  heartbeatMs?: number;
  /** Subscribers served at once; more are refused (default 256). */
  maxClients?: number;
  /** Streams one phone session may hold (default 4: a page open in a few tabs). */
  maxPerSession?: number;
  /** Slots that phones together can never take, kept for the token's holder (default 16). */
  reservedForToken?: number;
}

/** Who opened a stream: the token's holder, or one phone session (its stored hash). */
export type SseOwner = 'token' | `session:${string}`;

/** Formats one event frame. `data` is JSON, which never contains a raw newline. */
export function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly owners = new Map<ServerResponse, SseOwner>();
  private readonly maxBuffered: number;
  private readonly maxClients: number;
  private readonly maxPerSession: number;
  private readonly reserved: number;
  private readonly timer: NodeJS.Timeout;
  private dropped = 0;

  constructor(opts: SseOptions = {}) {
    this.maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;
    this.maxClients = opts.maxClients ?? 256;
    this.maxPerSession = opts.maxPerSession ?? 4;
    this.reserved = Math.min(opts.reservedForToken ?? 16, this.maxClients);
    this.timer = setInterval(() => this.write(': heartbeat\n\n'), opts.heartbeatMs ?? 15_000);
    this.timer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Subscribers dropped so far for not reading (for tests and metrics). */
  get droppedCount(): number {
    return this.dropped;
  }

  get full(): boolean {
    return this.clients.size >= this.maxClients;
  }

  /**
   * Why `owner` may not open one more stream now, or null. One phone cannot
   * take every slot, and phones together cannot take the slots kept for the token.
   */
  refusal(owner: SseOwner): string | null {
    if (this.full) return 'too many event subscribers';
    if (owner === 'token') return null;
    let mine = 0;
    let phones = 0;
    for (const o of this.owners.values()) {
      if (o === owner) mine += 1;
      if (o !== 'token') phones += 1;
    }
    if (mine >= this.maxPerSession) return `at most ${this.maxPerSession} event streams per phone`;
    if (phones >= this.maxClients - this.reserved) return 'too many event subscribers';
    return null;
  }

  /** Ends every stream opened with a phone session at once ("forget all phones"); returns how many. */
  closeSessions(): number {
    let n = 0;
    for (const [res, owner] of this.owners) {
      if (owner === 'token') continue;
      this.clients.delete(res);
      this.owners.delete(res);
      res.destroy();
      n += 1;
    }
    return n;
  }

  /** Starts the stream on `res` and sends `initial` frames to it alone. */
  add(res: ServerResponse, initial: string, owner: SseOwner = 'token'): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
      // Tells a reverse proxy (nginx) not to hold events back.
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    this.clients.add(res);
    this.owners.set(res, owner);
    const forget = (): void => {
      this.clients.delete(res);
      this.owners.delete(res);
    };
    res.on('close', forget);
    res.on('error', forget);
    res.write(`retry: 3000\n\n${initial}`);
  }

  /** Serialises the event once and writes it to every subscriber. */
  send(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    this.write(frame(event, data));
  }

  /** Ends every stream (server shutdown). */
  close(): void {
    clearInterval(this.timer);
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.owners.clear();
  }

  // One Buffer for all: the string is encoded once, not once per socket.
  private write(text: string): void {
    const chunk = Buffer.from(text, 'utf8');
    for (const res of this.clients) {
      if (res.writableLength > this.maxBuffered) {
        this.drop(res);
        continue;
      }
      res.write(chunk);
    }
  }

  private drop(res: ServerResponse): void {
    this.clients.delete(res);
    this.owners.delete(res);
    this.dropped += 1;
    // destroy, not end: ending would queue behind the bytes it cannot send.
    res.destroy();
  }
}

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
}

/** Formats one event frame. `data` is JSON, which never contains a raw newline. */
export function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly maxBuffered: number;
  private readonly maxClients: number;
  private readonly timer: NodeJS.Timeout;
  private dropped = 0;

  constructor(opts: SseOptions = {}) {
    this.maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;
    this.maxClients = opts.maxClients ?? 256;
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

  /** Starts the stream on `res` and sends `initial` frames to it alone. */
  add(res: ServerResponse, initial: string): void {
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
    const forget = (): void => {
      this.clients.delete(res);
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
    this.dropped += 1;
    // destroy, not end: ending would queue behind the bytes it cannot send.
    res.destroy();
  }
}

// A minimal EventSource for tests: one socket per subscriber, frames parsed
// into {event, data}, and a way to stop reading (to play a stuck phone).
import http from 'node:http';

export interface SseEvent {
  event: string;
  data: unknown;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  comments = 0;
  closed = false;
  status = 0;
  private req: http.ClientRequest | null = null;
  private res: http.IncomingMessage | null = null;
  private buf = '';
  private waiters: (() => void)[] = [];

  /** Connects and resolves once the response headers arrived. */
  static async connect(base: string, headers: Record<string, string>): Promise<SseClient> {
    const c = new SseClient();
    await new Promise<void>((resolve, reject) => {
      c.req = http.get(`${base}/api/v1/events`, { headers, agent: false }, (res) => {
        c.res = res;
        c.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => c.feed(chunk));
        res.on('close', () => {
          c.closed = true;
          c.wake();
        });
        resolve();
      });
      c.req.on('error', (err) => {
        c.closed = true;
        c.wake();
        reject(err);
      });
    });
    return c;
  }

  private feed(chunk: string): void {
    this.buf += chunk;
    let end: number;
    while ((end = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, end);
      this.buf = this.buf.slice(end + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments++;
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data) this.events.push({ event, data: JSON.parse(data) });
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  /** Resolves when `pred` holds, rejects after `ms`. */
  async until(pred: () => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms with ${this.events.length} events`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  names(): string[] {
    return this.events.map((e) => e.event);
  }

  /** Stops reading: the kernel buffers fill and the server sees its writes queue up. */
  pause(): void {
    this.res?.pause();
    this.res?.socket.pause();
  }

  close(): void {
    this.req?.destroy();
    this.res?.destroy();
  }
}

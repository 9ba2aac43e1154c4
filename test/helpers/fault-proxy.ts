// A fault-injecting TCP proxy for the degradation-code tests: it sits between
// the player and a media server on 127.0.0.1 and, switched by the test at run
// time, cuts, stalls, throttles or jitters the connection, refuses new ones,
// and for HTTP-FLV rewrites the FLV tags (flip payload bytes, drop tags,
// jump timestamps) while keeping the stream parseable.
//
// RTMP: only the TCP-level faults apply (cut, close, stall, throttle, jitter,
// refuseNew); its chunk stream is passed through untouched, the tag faults do
// nothing there. HTTP-FLV: all faults apply; tag faults act on the
// server→client body, chunked or not.
//
// Usage (tap):
//   const proxy = await startFaultProxy({ targetPort: nms.httpPort }); t.teardown(() => proxy.stop());
//   const url = proxy.via(nms.flvUrl('s'));   // same URL, proxy's host:port
//   proxy.throttle(300); ... proxy.resume();
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Lane, noFaults, stalledNow, zeroLaneCounters, type LaneCounters, type LaneFaults, type StallMode } from './fault-lane';
import { zeroTagCounters, type DropOptions, type FlipOptions, type ShiftOptions, type TagCounters, type TagFaults } from './flv-faults';
import { HttpFlvTamper } from './flv-tamper';

export type { DropOptions, FlipOptions, ShiftOptions, StallMode };
/** 'down' is server→client (the media), 'up' client→server. */
export type Direction = 'down' | 'up' | 'both';
export type CloseHow = 'reset' | 'fin';

export interface FaultProxyOptions {
  targetPort: number;
  targetHost?: string;
  /** Queued bytes per direction above which the sending socket is paused (default 1 MiB). */
  highWaterBytes?: number;
}

export interface ProxyCounters {
  accepted: number;
  refused: number;
  /** Connections cut by cut()/close(). */
  cut: number;
  down: LaneCounters;
  up: LaneCounters;
  tags: TagCounters;
}

interface Conn {
  client: net.Socket;
  server: net.Socket;
  lanes: Lane[];
}

export interface FaultProxy {
  readonly port: number;
  readonly counters: ProxyCounters;
  /** Open connections right now. */
  readonly active: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  /** Ends every open connection on both sides: RST by default, FIN with 'fin'. Returns how many. */
  cut(how?: CloseHow): number;
  /** cut('fin'): an orderly close in the middle of the stream. */
  close(): number;
  /** Forwards nothing for `ms` (or until resume()); 'buffer' releases the held bytes afterwards, 'drop' loses them. */
  stall(ms: number | 'forever', opts?: { mode?: StallMode; dir?: Direction }): void;
  /** Limits the forwarding rate to `kbps` (1000 bit/s units); null lifts it. */
  throttle(kbps: number | null, dir?: Direction): void;
  /**
   * Delays every chunk (every tag for HTTP-FLV) by a time in [minMs, maxMs]
   * that sweeps between the range's low and high quarters at 0.8 ms per ms,
   * order kept: arrival is uneven while the mean rate stays; null lifts it.
   */
  jitter(j: { minMs: number; maxMs: number } | null, dir?: Direction): void;
  /** New connections are accepted and closed at once (RST or FIN); open ones are untouched. */
  refuseNew(on: boolean, how?: CloseHow): void;
  /** HTTP-FLV only: corrupt payload bytes of audio or video tags; null stops. */
  flipBytes(o: FlipOptions | null): void;
  /** HTTP-FLV only: drop whole media tags; null stops. */
  dropTags(o: DropOptions | null): void;
  /** HTTP-FLV only: from `afterMs` on, shift every media timestamp by `jumpMs`; null stops. */
  shiftTimestamps(o: ShiftOptions | null): void;
  /** Back to plain pass-through: every fault lifted, held bytes released, new connections accepted. */
  resume(): void;
  /** Closes the listener and every connection. */
  stop(): Promise<void>;
}

function reset(s: net.Socket): void {
  try {
    s.resetAndDestroy();
  } catch {
    // Not connected yet: there is no connection to reset.
    s.destroy();
  }
}

/** Starts a proxy on 127.0.0.1 (OS-chosen port) to targetHost:targetPort, in pass-through. */
export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const targetHost = opts.targetHost ?? '127.0.0.1';
  const highWater = opts.highWaterBytes ?? 1 << 20;
  const faults: Record<'down' | 'up', LaneFaults> = { down: noFaults(), up: noFaults() };
  const tagFaults: TagFaults = { flip: null, drop: null, shift: null, dropAll: false };
  const counters: ProxyCounters = { accepted: 0, refused: 0, cut: 0, down: zeroLaneCounters(), up: zeroLaneCounters(), tags: zeroTagCounters() };
  const conns = new Set<Conn>();
  let refusing: CloseHow | null = null;

  const dirs = (dir: Direction): LaneFaults[] => (dir === 'both' ? [faults.down, faults.up] : [faults[dir]]);
  const kick = (): void => {
    for (const c of conns) for (const l of c.lanes) l.kick();
  };

  const accepted = new Set<net.Socket>();
  const onConnection = (client: net.Socket): void => {
    client.on('error', () => undefined);
    accepted.add(client);
    client.once('close', () => accepted.delete(client));
    if (refusing) {
      counters.refused += 1;
      if (refusing === 'reset') reset(client);
      else client.end();
      return;
    }
    counters.accepted += 1;
    const server = net.connect(opts.targetPort, targetHost);
    server.on('error', () => undefined);
    const down = new Lane(server, client, faults.down, counters.down, highWater);
    const up = new Lane(client, server, faults.up, counters.up, highWater);
    const conn: Conn = { client, server, lanes: [down, up] };
    conns.add(conn);
    const tamper = new HttpFlvTamper(tagFaults, counters.tags);
    server.on('data', (d: Buffer) => {
      counters.down.bytesIn += d.length;
      const dropping = stalledNow(faults.down) && faults.down.stallMode === 'drop';
      if (dropping && !tamper.tagAware) {
        counters.down.bytesDropped += d.length;
        return;
      }
      // A 'drop' stall on an FLV body drops whole tags, so the stream stays parseable.
      tagFaults.dropAll = dropping;
      for (const piece of tamper.push(d)) down.push(piece);
      tagFaults.dropAll = false;
    });
    client.on('data', (d: Buffer) => {
      counters.up.bytesIn += d.length;
      if (stalledNow(faults.up) && faults.up.stallMode === 'drop') counters.up.bytesDropped += d.length;
      else up.push(d);
    });
    server.on('end', () => {
      down.push(tamper.flush());
      down.end();
    });
    client.on('end', () => up.end());
    // An abrupt end on one side is passed on abruptly to the other.
    server.on('close', (hadError) => {
      if (hadError) {
        for (const l of conn.lanes) l.close();
        reset(client);
      }
    });
    client.on('close', (hadError) => {
      for (const l of conn.lanes) l.close();
      if (hadError) reset(server);
      else server.destroy();
      conns.delete(conn);
    });
  };

  const listener = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (listener.address() as net.AddressInfo).port;

  const cut = (how: CloseHow = 'reset'): number => {
    const n = conns.size;
    for (const c of conns) {
      for (const l of c.lanes) l.close();
      if (how === 'reset') {
        reset(c.client);
        reset(c.server);
      } else {
        c.client.end();
        c.server.end();
      }
      counters.cut += 1;
    }
    if (how === 'reset') conns.clear();
    return n;
  };

  return {
    port,
    counters,
    get active() {
      return conns.size;
    },
    via: (url) => {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut,
    close: () => cut('fin'),
    stall: (ms, o = {}) => {
      const until = ms === 'forever' ? Infinity : performance.now() + ms;
      for (const f of dirs(o.dir ?? 'down')) {
        f.stallUntil = until;
        f.stallMode = o.mode ?? 'buffer';
      }
      kick();
    },
    throttle: (kbps, dir = 'down') => {
      for (const f of dirs(dir)) f.throttleBytesPerSec = kbps === null ? null : (kbps * 1000) / 8;
      kick();
    },
    jitter: (j, dir = 'down') => {
      for (const f of dirs(dir)) f.jitter = j;
    },
    refuseNew: (on, how = 'reset') => {
      refusing = on ? how : null;
    },
    flipBytes: (o) => (tagFaults.flip = o),
    dropTags: (o) => (tagFaults.drop = o),
    shiftTimestamps: (o) => (tagFaults.shift = o ? { from: performance.now() + o.afterMs, jumpMs: o.jumpMs, wrapMs: o.wrapMs } : null),
    resume: () => {
      for (const f of dirs('both')) Object.assign(f, noFaults());
      Object.assign(tagFaults, { flip: null, drop: null, shift: null, dropAll: false });
      refusing = null;
      kick();
    },
    stop: async () => {
      // Refuse first: a client that reconnects between the cut and the close
      // would otherwise hold close() open (seen once under load: a test file
      // that passed hung until tap's timeout killed it).
      refusing = 'reset';
      cut('reset');
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      for (const c of accepted) c.destroy();
      await closed;
    },
  };
}

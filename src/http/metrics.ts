// Prometheus metrics for /metrics, fed by the player's own events (so they
// say exactly what HTTP, D-Bus and the TV are told) and by the HTTP layer's
// request timings. One registry per instance, so tests can build many.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LivePlayer } from '../player/player';
import { PLAYER_STATES, type PlayerState } from '../player/state';
import { packageVersion } from '../version';
import { netstatusGauges } from './netstatus-metrics';

/** How often the event-loop lag metric samples (prom-client's eventLoopMonitoringPrecision). */
export const LAG_SAMPLE_MS = 1000;

export interface Metrics {
  readonly registry: Registry;
  /** Called by the HTTP layer once per answered request. */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** Prometheus text exposition. */
  text(): Promise<string>;
  readonly contentType: string;
  /** Lets the HTTP layer report its event-stream subscribers (read at scrape time). */
  watchSse(stats: () => { subscribers: number; dropped: number }): void;
  /** Stops listening to the player. */
  close(): void;
}

export interface MetricsOptions {
  /** Also export process metrics (CPU, RSS, fds, event-loop lag); the daemon turns this on. */
  processMetrics?: boolean;
  /** The GStreamer version for liveplayer_build_info, once known ("unknown" until then). */
  gstreamerVersion?: () => string;
}

/** Builds the metrics for `player`; the daemon builds one and passes it to buildApp. */
export function createMetrics(player: LivePlayer, opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const state = new Gauge({ name: 'liveplayer_state', help: 'Player state: 1 for the current state, 0 for the others', labelNames: ['state'], registers: [registry] });
  const lastCode = new Gauge({ name: 'liveplayer_last_status_code', help: 'The last live-player status code sent (0 before any)', registers: [registry] });
  const codes = new Counter({ name: 'liveplayer_status_codes_total', help: 'Live-player status codes sent, by code', labelNames: ['code'], registers: [registry] });
  const reconnects = new Counter({ name: 'liveplayer_reconnects_total', help: 'Automatic reconnections started (status code 2103)', registers: [registry] });
  const net = new Gauge({ name: 'liveplayer_netstatus', help: 'The last netstatus figures (videoBitrate, netSpeed, videoFPS, ...) by key', labelNames: ['key'], registers: [registry] });
  const http = new Histogram({
    name: 'liveplayer_http_request_duration_seconds',
    help: 'HTTP request durations by route template and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  let sse: () => { subscribers: number; dropped: number } = () => ({ subscribers: 0, dropped: 0 });
  new Gauge({ name: 'liveplayer_sse_subscribers', help: 'Connected /api/v1/events subscribers', registers: [registry], collect() { this.set(sse().subscribers); } });
  new Gauge({ name: 'liveplayer_sse_dropped', help: 'Event subscribers dropped for not reading (since start); same as liveplayer_sse_dropped_subscribers_total', registers: [registry], collect() { this.set(sse().dropped); } });
  let droppedSeen = 0;
  new Counter({
    name: 'liveplayer_sse_dropped_subscribers_total',
    help: 'Event subscribers dropped for not reading',
    registers: [registry],
    collect() {
      const now = sse().dropped;
      if (now > droppedSeen) this.inc(now - droppedSeen);
      droppedSeen = Math.max(droppedSeen, now);
    },
  });
  new Gauge({
    name: 'liveplayer_build_info',
    help: 'Always 1; the labels say which liveplayerd, Node.js and GStreamer run',
    labelNames: ['version', 'node', 'gstreamer'],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ version: packageVersion(), node: process.versions.node, gstreamer: opts.gstreamerVersion?.() ?? 'unknown' }, 1);
    },
  });
  const setNet = netstatusGauges(registry);
  // The event-loop lag histogram samples with a native timer at this period;
  // prom-client's default, 10 ms, woke the daemon 100 times a second for the
  // whole life of the board (measured with strace while a lesson played:
  // ~200 epoll_pwait calls a second and 5 messages). A lag worth an alert on
  // a TV player is hundreds of ms: one sample a second sees it.
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'liveplayer_', eventLoopMonitoringPrecision: LAG_SAMPLE_MS });

  const setState = (current: PlayerState): void => {
    for (const s of PLAYER_STATES) state.set({ state: s }, s === current ? 1 : 0);
  };
  setState(player.state);
  lastCode.set(player.view().lastCode?.code ?? 0);

  const onState = ({ state: s }: { state: PlayerState }): void => {
    setState(s);
    // Figures of a finished session would otherwise look current forever.
    if (s === 'idle' || s === 'stopped' || s === 'error' || s === 'waiting') {
      net.reset();
      setNet({});
    }
  };
  const onCode = ({ code }: { code: number }): void => {
    lastCode.set(code);
    codes.inc({ code: String(code) });
    if (code === 2103) reconnects.inc();
  };
  // Keys come from the engine, but are bounded so a misbehaving one cannot explode label cardinality.
  const onNet = ({ info }: { info: Record<string, number> }): void => {
    net.reset();
    let n = 0;
    for (const [key, value] of Object.entries(info)) {
      if (++n > 64) break;
      if (typeof value === 'number' && Number.isFinite(value)) net.set({ key }, value);
    }
    setNet(info);
  };
  player.on('state', onState);
  player.on('statechange', onCode);
  player.on('netstatus', onNet);

  return {
    registry,
    contentType: registry.contentType,
    observeRequest(route, method, status, seconds) {
      http.observe({ route, method, status: String(status) }, seconds);
    },
    text: () => registry.metrics(),
    watchSse(stats) {
      sse = stats;
    },
    close() {
      player.off('state', onState);
      player.off('statechange', onCode);
      player.off('netstatus', onNet);
    },
  };
}

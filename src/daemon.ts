// Composes the daemon: configuration in, then the parts in a known order
// (state, engine, player, HTTP, D-Bus, systemd), and out again in reverse.
// Each part is optional where the contract says so; a failing part on the
// way out is logged and the rest still stops.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/load';
import { layoutAt, parsePoint } from './gst/geometry';
import { GstEngine } from './gst/engine';
import { chooseVideoSink, FAILING_TEST_DECODER_ENV } from './gst/element-choice';
import { existsSync } from 'node:fs';
import { displaySize } from './tv/display-size';
import { LivePlayer } from './player/player';
import { buildApp } from './http/app';
import { createAuth } from './http/auth';
import { createMetrics } from './http/metrics';
import { resolveToken } from './os/token';
import { startDbus, type DbusService } from './dbus/index';
import { createNotifier } from './os/sd-notify';
import { startDemoStream, type DemoStream } from './demo/demo-stream';
import { StateStore, startingView } from './os/state-store';
import { createSourceWatcher } from './media/source-watch';
import { UpdateLock } from './os/update-lock';
// phone remote (issue 5)
import { startRemote } from './remote/start';

export interface Daemon {
  player: LivePlayer;
  /** "host:port" the HTTP surface listens on, or null when off. */
  httpAddress: string | null;
  stop(): Promise<void>;
}

function parseHttp(spec: string): { host: string; port: number } {
  const i = spec.lastIndexOf(':');
  return { host: spec.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(spec.slice(i + 1)) };
}

/** Starts everything `config` asks for; called once by the CLI (and by tests that run the daemon in-process). */
export async function startDaemon(config: Readonly<Config>, log: Logger): Promise<Daemon> {
  const stops: { name: string; stop: () => Promise<void> | void }[] = [];
  const notifier = createNotifier(log);
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  const snapshotDir = path.join(config.stateDir, 'snapshots');

  // Persisted attributes survive restarts; what the admin gave explicitly
  // (flags, environment, config file) still wins over them.
  const store = new StateStore(config.stateDir, log.child({ module: 'state' }));
  const saved = store.load();
  const attributes = { ...(saved?.attributes ?? config.attributes) };
  for (const k of config.attributesGiven) (attributes as Record<string, unknown>)[k] = config.attributes[k];

  let demo: DemoStream | null = null;
  if (config.demo) {
    demo = await startDemoStream(log.child({ module: 'demo' }));
    stops.push({ name: 'demo', stop: () => demo!.stop() });
    Object.assign(attributes, { src: demo.url, autoplay: true });
  }

  const sink = chooseVideoSink(config.videoSink, { env: process.env, exists: existsSync });
  const screenSize = await displaySize(config.displaySize, sink);
  log.info({ module: 'tv', sink, ...screenSize }, 'display');

  const testFailingDecoder = process.env[FAILING_TEST_DECODER_ENV] === '1';
  if (testFailingDecoder) log.warn({ env: FAILING_TEST_DECODER_ENV }, 'test hook on: the first decoder tried fails on the first key frame');
  const engine = new GstEngine({
    testFailingDecoder,
    decoder: config.decoder,
    videoSink: config.videoSink,
    audioSink: config.audioSink,
    stallTimeoutMs: config.stallTimeout * 1000,
    caCerts: config.caCerts,
    snapshotDir,
    audioDeviceSpeaker: config.audioDeviceSpeaker,
    audioDeviceEar: config.audioDeviceEar,
    layout: layoutAt(parsePoint(config.windowPosition)!, parsePoint(config.pipPosition)!, screenSize),
    log: log.child({ module: 'gst' }),
  });
  const probing = engine.start(attributes).catch((err) => log.error({ err }, 'probing GStreamer failed'));
  const player = new LivePlayer({
    engine,
    log: log.child({ module: 'player' }),
    reconnect: { attempts: config.reconnectAttempts, intervalMs: config.reconnectInterval * 1000 },
    attributes,
    view: startingView(saved, config.startView),
    watcher: createSourceWatcher(),
    rejoin: config.rejoin === 'on',
  });
  store.attach(player, config.startView);
  const lock = new UpdateLock({ enabled: config.updateLock === 'on' }, log.child({ module: 'update-lock' }));
  lock.cleanStale();
  lock.attach(player);
  // The player goes first on the way out: its worker holds the screen and the sound card.
  stops.unshift({ name: 'engine', stop: () => engine.close() }, { name: 'player', stop: () => player.shutdown() }, { name: 'update-lock', stop: () => lock.release() }, { name: 'state', stop: () => store.flush() });

  let httpAddress: string | null = null;
  let showPairingCode: ((ms: number) => { until: string }) | undefined;
  if (config.http !== 'off') {
    const metrics = createMetrics(player, { processMetrics: true });
    const auth = createAuth({ token: resolveToken(config.stateDir, config.token) });
    // --- phone remote and TV idle screen (issue 5): pairing, sessions, page, channels ---
    const remote = startRemote({ config, player, auth, log, display: { size: screenSize, overlays: sink !== 'kms' } });
    // backgroundMute: the idle screen on the TV puts the player in background.
    remote.screen.on('showing', (on) => player.setIdleScreenShowing(on));
    stops.unshift({ name: 'remote', stop: () => remote.stop() });
    const pairing = {
      current: () => remote.pairing.current(),
      forgetAll: () => remote.pairing.forgetAll(),
      showOnTv: (ms: number) => remote.screen.showPairingCorner(ms),
    };
    showPairingCode = pairing.showOnTv;
    const app: FastifyInstance = buildApp({ player, log, config, auth, snapshotDir, metrics, pairing, remote: remote.routes });
    const { host, port } = parseHttp(config.http);
    await app.listen({ host, port });
    remote.listening(host, (app.server.address() as { port: number }).port);
    // --- end phone remote ---
    const addr = app.server.address();
    httpAddress = addr && typeof addr === 'object' ? `${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}` : config.http;
    log.info({ module: 'http', address: httpAddress }, 'http listening');
    stops.unshift({ name: 'http', stop: () => app.close() }, { name: 'metrics', stop: () => metrics.close() });
  }

  if (config.dbus !== 'off') {
    const dbus: DbusService | null = await startDbus(player, { bus: config.dbus, identity: config.name, showPairingCode }, log.child({ module: 'dbus' }));
    if (dbus) stops.unshift({ name: 'dbus', stop: () => dbus.stop() });
  }

  notifier.ready(`serving on ${httpAddress ?? 'D-Bus only'}`);
  void probing;
  if (player.attributes.src && saved?.playing && saved.waitingSince && config.rejoin === 'on' && !config.demo) player.resumeWaiting(saved.waitingSince);
  else if (player.attributes.src && (player.attributes.autoplay || saved?.playing)) player.play();

  let stopping: Promise<void> | null = null;
  return {
    player,
    httpAddress,
    stop() {
      stopping ??= (async () => {
        notifier.stopping();
        for (const part of stops) {
          try {
            await part.stop();
          } catch (err) {
            log.warn({ err, part: part.name }, 'part failed to stop; carrying on');
          }
        }
        notifier.close();
      })();
      return stopping;
    },
  };
}

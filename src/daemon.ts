// Composes the daemon: configuration in, then the parts in a known order
// (state, engine, player, HTTP, D-Bus, systemd), and out again in reverse.
// Each part is optional where the contract says so; a failing part on the
// way out is logged and the rest still stops.
import { accessSync, constants, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/load';
import { layoutAt, parsePoint } from './player/view';
import { GstEngine } from './gst/control/engine';
import { chooseVideoSink, FAILING_TEST_DECODER_ENV, overlaysOver, STUCK_CARD_TEST_ENV, wordsOnScreen } from './gst/element-choice';
import { existsSync } from 'node:fs';
import { displaySize } from './tv/display-size';
import { resolveSparePolicy, usableMemoryBytes } from './config/spare-policy';
import { gstreamerVersion } from './gst/control/probe';
import { LivePlayer } from './player/player';
import { PlaySummary } from './log-summary';
import { resolveToken, tokenPath } from './os/token';
import { demoBanner } from './demo/banner';
import type { DbusService } from './dbus/index';
import { createNotifier } from './os/sd-notify';
import { startDemoStream, type DemoStream } from './demo/demo-stream';
import { StateStore, startingView } from './os/state-store';
import { createSourceWatcher } from './media/source-watch';
import { UpdateLock } from './os/update-lock';
import { Health } from './os/health';
import { applyGiven } from './os/given-values';
// phone remote
import { TvScreen } from './tv/screen';

export interface Daemon {
  player: LivePlayer;
  /** Conditions the daemon runs degraded under (what /healthz reports). */
  health: Health;
  /** Configuration values ignored at start (bad LIVEPLAYER_CHANNELS, …), one sentence each, for the idle screen. */
  configWarnings: readonly string[];
  /** "host:port" the HTTP surface listens on, or null when off. */
  httpAddress: string | null;
  stop(): Promise<void>;
}

/** At most this long after a start-up play the HTTP and D-Bus sides wait for its first picture. */
const CONTROLS_WAIT_MS = 1500;

/** Resolves once the player is past `connecting` (a picture, a failure, a stop), or after `ms`. */
function startOver(player: LivePlayer, ms: number): Promise<void> {
  if (player.state !== 'connecting') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      player.off('state', onState);
      resolve();
    };
    const onState = (e: { state: string }): void => {
      if (e.state !== 'connecting') done();
    };
    const timer = setTimeout(done, ms);
    player.on('state', onState);
  });
}

function parseHttp(spec: string): { host: string; port: number } {
  const i = spec.lastIndexOf(':');
  return { host: spec.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(spec.slice(i + 1)) };
}

/** Starts everything `config` asks for; called once by the CLI (and by tests that run the daemon in-process). */
export async function startDaemon(config: Readonly<Config>, log: Logger): Promise<Daemon> {
  const stops: { name: string; stop: () => Promise<void> | void }[] = [];
  try {
    return await compose(config, log, stops);
  } catch (err) {
    // Whatever started (the spare media worker above all) goes before the
    // error reaches the CLI, so nothing is left running or writing to a closed pipe.
    await runStops(stops, log);
    throw err;
  }
}

async function runStops(stops: { name: string; stop: () => Promise<void> | void }[], log: Logger): Promise<void> {
  for (const part of stops) {
    try {
      await part.stop();
    } catch (err) {
      log.warn({ err, part: part.name }, 'part failed to stop; carrying on');
    }
  }
}

/** Names the error code of a failed file operation (ENOSPC, EROFS, EACCES, …) for a reason line. */
const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

async function compose(config: Readonly<Config>, log: Logger, stops: { name: string; stop: () => Promise<void> | void }[]): Promise<Daemon> {
  const notifier = createNotifier(log);
  const health = new Health();
  const stateLog = log.child({ module: 'state' });
  for (const warning of config.configWarnings) log.warn({ module: 'config', warning }, 'configuration value ignored; starting with the rest');
  // A full, read-only or missing state dir must not keep the TV from
  // starting (a restart could not fix it): the daemon runs with everything
  // in memory, and /healthz and the log say so.
  try {
    mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
    accessSync(config.stateDir, constants.W_OK);
  } catch (err) {
    health.degrade('state-dir', `state dir ${config.stateDir} not writable (${codeOf(err)}): settings, channels and paired phones are kept in memory until the daemon stops`);
    stateLog.warn({ err, stateDir: config.stateDir }, 'state dir not writable; running with settings in memory only');
  }
  const snapshotDir = path.join(config.stateDir, 'snapshots');
  // One warning when saving starts failing, one line when it works again.
  const reportSave = (key: string, file: string, err: Error | null): void => {
    const was = health.list().length;
    if (err) {
      health.degrade(key, `${file} not saved (${codeOf(err)}): changes are kept in memory until the daemon stops`);
      if (health.list().length !== was) stateLog.warn({ err, file }, 'saving failed; kept in memory');
    } else if (health.list().length > 0) {
      health.clear(key);
      if (health.list().length !== was) stateLog.info({ file }, 'saving works again');
    }
  };

  // Persisted attributes survive restarts. An attribute the admin gives
  // (environment, config file) is applied when it is new or its value
  // changed since the last start; otherwise the teacher's later choice stands.
  const store = new StateStore(config.stateDir, stateLog, (err) => reportSave('state', path.join(config.stateDir, 'state.json'), err));
  const saved = store.load();
  const given = Object.fromEntries(config.attributesGiven.map((k) => [k, config.attributes[k]]));
  const fromSaved = saved !== null && !store.fellBack;
  const outcome = applyGiven(config.stateDir, fromSaved ? saved.attributes : config.attributes, fromSaved, given);
  const attributes = outcome.attributes;
  if (outcome.kept.length > 0) stateLog.info({ kept: outcome.kept }, "given attributes unchanged since the last start: the teacher's choice stands");
  if (fromSaved && outcome.applied.length > 0) stateLog.info({ applied: outcome.applied }, 'given attributes new or changed: applied over the saved ones');
  if (outcome.saveError) stateLog.warn({ err: outcome.saveError }, 'could not remember the given attributes; the next start applies them again');

  let demo: DemoStream | null = null;
  if (config.demo) {
    demo = await startDemoStream(log.child({ module: 'demo' }));
    stops.push({ name: 'demo', stop: () => demo!.stop() });
    Object.assign(attributes, { src: demo.url, autoplay: true });
  }

  const sink = chooseVideoSink(config.videoSink, { env: process.env, exists: existsSync });
  const screenSize = await displaySize(config.displaySize, sink);
  log.info({ module: 'tv', sink, ...screenSize }, 'display');

  const memory = usableMemoryBytes(os.totalmem(), process.constrainedMemory?.());
  const spareWorker = resolveSparePolicy(config.spareWorker, memory);
  log.info({ module: 'gst', spareWorker, asked: config.spareWorker, memoryMiB: Math.round(memory / 1048576) }, 'spare worker policy');

  const testFailingDecoder = process.env[FAILING_TEST_DECODER_ENV] === '1';
  if (testFailingDecoder) log.warn({ env: FAILING_TEST_DECODER_ENV }, 'test hook on: the first decoder tried fails on the first key frame');
  if (process.env[STUCK_CARD_TEST_ENV]) log.warn({ env: STUCK_CARD_TEST_ENV }, 'test hook on: the first TV card process stalls');
  const engine = new GstEngine({
    testFailingDecoder,
    decoder: config.decoder,
    videoSink: config.videoSink,
    audioSink: config.audioSink,
    stallTimeoutMs: config.stallTimeout * 1000,
    spareWorker,
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
  const summary = new PlaySummary(player, log.child({ module: 'player' }));
  summary.start();
  stops.push({ name: 'summary', stop: () => summary.stop() });
  const lock = new UpdateLock({ enabled: config.updateLock === 'on' }, log.child({ module: 'update-lock' }));
  lock.cleanStale();
  lock.attach(player);
  // The player goes first on the way out: its worker holds the screen and the sound card.
  stops.unshift({ name: 'engine', stop: () => engine.close() }, { name: 'player', stop: () => player.shutdown() }, { name: 'update-lock', stop: () => lock.release() }, { name: 'state', stop: () => store.flush() });

  // The TV tells the class what happens whether or not HTTP is on; the
  // phone remote, when there is one, adds its pairing code.
  const screen = new TvScreen({
    player,
    name: config.name,
    videoSink: config.videoSink,
    log,
    language: config.language,
    stallTimeoutMs: config.stallTimeout * 1000,
    screen: screenSize,
    overlays: overlaysOver(sink),
    exclusive: sink === 'kms',
    // Bad fleet or device variables are shown where the admin walking past will see them.
    warnings: config.configWarnings,
    spareWhilePlaying: spareWorker !== 'idle',
    shownFrame: (maxWidth) => engine.shownFrame(maxWidth),
    // No card window can go over the stream there: the pairing card goes into the picture.
    cornerInStream: sink === 'kms' || sink === 'wayland' || sink === 'fake' ? (png) => engine.showCorner(png) : undefined,
    // While a session holds the screen and has no picture to show, its words go on that screen too.
    wordsInStream: wordsOnScreen(sink) ? (picture) => engine.showWords(picture) : undefined,
  });
  // backgroundMute: the idle screen on the TV puts the player in background.
  screen.on('showing', (on) => player.setIdleScreenShowing(on));
  stops.unshift({ name: 'tv', stop: () => screen.stop() });
  screen.warmUp();

  // The lesson before the controls: the media worker hears of the play now,
  // and connects while the HTTP and D-Bus modules load and start (about a
  // third of a second of require on a cold start, see docs/performance.md).
  // Their events and properties read the player's state when they come up.
  if (player.attributes.src && saved?.playing && saved.waitingSince && config.rejoin === 'on' && !config.demo) player.resumeWaiting(saved.waitingSince);
  else if (player.attributes.src && (player.attributes.autoplay || saved?.playing)) player.play();
  // The controls come up once the start is over (or after CONTROLS_WAIT_MS):
  // their modules hold the daemon's one thread for that third of a second,
  // in which the worker's first picture would wait to be told.
  await startOver(player, CONTROLS_WAIT_MS);

  let httpAddress: string | null = null;
  let showPairingCode: ((ms: number) => { until: string }) | undefined;
  let pairUrl: string | null = null;
  if (config.http !== 'off') {
    // Loaded here, not at the top: see the play above.
    const [{ buildApp }, { createAuth }, { createMetrics }, { startRemote }, { remoteRoutes }] = await Promise.all([
      import('./http/app'),
      import('./http/auth'),
      import('./http/metrics'),
      import('./remote/start'),
      import('./remote/routes'),
    ]);
    let gstreamer = 'unknown';
    void gstreamerVersion().then((v) => (gstreamer = v));
    const metrics = createMetrics(player, { processMetrics: true, gstreamerVersion: () => gstreamer });
    const token = resolveToken(config.stateDir, config.token);
    if (token.problem) {
      // The admin needs this token for scripts and for the phone page's fallback; the log (journal,
      // balena dashboard) is the one place left that they can read and that the state dir's fault cannot take.
      health.degrade('token', `${token.problem}: the API token is kept in memory until the daemon stops (see the log line "API token kept in memory only")`);
      log.warn({ module: 'token', apiToken: token.current(), problem: token.problem }, 'API token kept in memory only; it changes at every start until the state dir is fixed');
    }
    const auth = createAuth({ token });
    // --- phone remote and TV screen: pairing, sessions, page, channels ---
    const remote = startRemote({
      config,
      player,
      auth,
      log,
      screen,
      onSave: (file, err) => reportSave(file.endsWith('channels.json') ? 'channels' : 'sessions', file, err),
    });
    stops.unshift({ name: 'remote', stop: () => remote.stop() });
    const pairing = {
      current: () => remote.pairing.current(),
      forgetAll: () => remote.pairing.forgetAll(),
      showOnTv: (ms: number) => remote.screen.showPairingCorner(ms),
    };
    showPairingCode = pairing.showOnTv;
    const routers = [async (app: FastifyInstance) => app.register(remoteRoutes, { deps: remote.routes })];
    const app: FastifyInstance = buildApp({ player, log, config, auth, snapshotDir, metrics, pairing, routers, health });
    const { host, port } = parseHttp(config.http);
    await app.listen({ host, port });
    remote.listening(host, (app.server.address() as { port: number }).port);
    // --- end phone remote ---
    const addr = app.server.address();
    httpAddress = addr && typeof addr === 'object' ? `${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}` : config.http;
    log.info({ module: 'http', address: httpAddress }, 'http listening');
    pairUrl = remote.pairing.current().url;
    stops.unshift({ name: 'http', stop: () => app.close() }, { name: 'metrics', stop: () => metrics.close() });
  } else {
    screen.start();
  }

  if (config.dbus !== 'off') {
    const { startDbus } = await import('./dbus/index');
    const dbus: DbusService | null = await startDbus(player, { bus: config.dbus, identity: config.name, showPairingCode }, log.child({ module: 'dbus' }));
    if (dbus) stops.unshift({ name: 'dbus', stop: () => dbus.stop() });
  }

  if (demo) {
    const port = httpAddress?.split(':').pop();
    const local = config.http.startsWith('0.0.0.0:') || config.http.startsWith('[::]:') ? `http://127.0.0.1:${port}` : httpAddress && `http://${httpAddress}`;
    process.stderr.write(demoBanner({ src: demo.url, pairUrl, tokenFile: config.token ? null : tokenPath(config.stateDir), apiBase: local }));
  }
  notifier.ready(`serving on ${httpAddress ?? 'D-Bus only'}`);
  void probing;

  let stopping: Promise<void> | null = null;
  return {
    player,
    health,
    configWarnings: config.configWarnings,
    httpAddress,
    stop() {
      stopping ??= (async () => {
        notifier.stopping();
        await runStops(stops, log);
        notifier.close();
      })();
      return stopping;
    },
  };
}

// The D-Bus adapter: serves LivePlayer as org.liveplayerd (LivePlayer1) and
// as org.mpris.MediaPlayer2.liveplayerd (MPRIS 2). A missing or hostile bus
// never stops the daemon: startDbus logs and returns null, and a connection
// lost later is logged once and dropped.
import { NameFlag, RequestNameReply, sessionBus, type MessageBus } from 'dbus-next';
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { LivePlayer } from '../player/player';
import { busAddressFor } from './bus-address';
import { installCallGuard, type GuardedInterface } from './call-guard';
import { LIVE_PLAYER1_PATH, LivePlayer1 } from './live-player1';
import { MPRIS_PATH, MprisPlayer, MprisRoot } from './mpris';

export const BUS_NAME = 'org.liveplayerd';
export const MPRIS_NAME = 'org.mpris.MediaPlayer2.liveplayerd';

export interface DbusOptions {
  bus: 'system' | 'session';
  /** MPRIS Identity: the daemon's --name. */
  identity: string;
  /** A bus address to use instead of the environment's or the system default (tests). */
  address?: string;
  /** How long connecting and owning the names may take before giving up. */
  timeoutMs?: number;
  /** The TV's "show the pairing code" action (absent without a TV screen). */
  showPairingCode?: (ms: number) => { until: string };
}

export interface DbusService {
  /** Releases the names and disconnects; safe to call twice, bounded in time. */
  stop(): Promise<void>;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

// sessionBus() with an address is dbus-next's plain "connect to this bus";
// we look the address up ourselves so that it is always a net.Socket one
// (bus-address.ts says why).
// No bus is an expected condition on many boards: one line saying why, no stack trace.
function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function connect(opts: DbusOptions): MessageBus {
  return sessionBus({ busAddress: busAddressFor(opts.bus, opts.address) });
}

/**
 * Called by the daemon at start (unless `--dbus off`). Resolves to null when
 * the bus cannot be reached or a name cannot be owned; the daemon then keeps
 * serving HTTP only.
 */
export async function startDbus(player: LivePlayer, opts: DbusOptions, log: Logger): Promise<DbusService | null> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  let bus: MessageBus;
  try {
    bus = connect(opts);
  } catch (err) {
    log.warn({ reason: reason(err), bus: opts.bus }, 'D-Bus unavailable; running without it');
    return null;
  }
  let connected = false;
  let lost = false;
  const lp1 = new LivePlayer1(player, log, opts.showPairingCode);
  const root = new MprisRoot(opts.identity);
  const mpris = new MprisPlayer(player, opts.identity, log);
  const objects = new Map<string, GuardedInterface[]>([
    [LIVE_PLAYER1_PATH, [lp1 as unknown as GuardedInterface]],
    [MPRIS_PATH, [root as unknown as GuardedInterface, mpris as unknown as GuardedInterface]],
  ]);
  const removeGuard = installCallGuard(bus, objects);
  const detach = () => {
    lp1.detach();
    mpris.detach();
  };
  let stopped = false;
  // After the connection is up, the first error or the stream's end means it
  // is gone: stop mirroring and say so once.
  const onLost = (err: unknown) => {
    if (!connected || lost || stopped) return;
    lost = true;
    detach();
    log.warn({ reason: reason(err), bus: opts.bus }, 'D-Bus connection lost; running without it');
  };
  // Without a listener an 'error' event would throw.
  bus.on('error', onLost);
  // A unix socket whose dbus-daemon went away only ends; dbus-next forwards
  // errors but not that end, which its (internal) connection emitter does
  // report. Without this, stop() would wait out its release timeouts.
  (bus as unknown as { _connection?: EventEmitter })._connection?.on('end', () => onLost(new Error('the bus closed the connection')));

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    detach();
    removeGuard();
    if (connected && !lost) {
      const releases = [BUS_NAME, MPRIS_NAME].map((n) => withTimeout(bus.releaseName(n), 1000, `releasing ${n}`));
      const results = await Promise.allSettled(releases);
      for (const r of results) if (r.status === 'rejected') log.debug({ err: r.reason }, 'releasing a D-Bus name failed');
    }
    try {
      bus.disconnect();
    } catch (err) {
      log.debug({ err }, 'D-Bus disconnect failed');
    }
  };

  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        bus.once('connect', () => {
          bus.off('error', reject);
          resolve();
        });
        bus.once('error', reject);
      }),
      timeoutMs,
      'connecting to the bus',
    );
    connected = true;
    bus.export(LIVE_PLAYER1_PATH, lp1);
    bus.export(MPRIS_PATH, root);
    bus.export(MPRIS_PATH, mpris);
    lp1.attach();
    mpris.attach();
    for (const name of [BUS_NAME, MPRIS_NAME]) {
      const reply = await withTimeout(bus.requestName(name, NameFlag.DO_NOT_QUEUE), timeoutMs, `requesting ${name}`);
      if (reply !== RequestNameReply.PRIMARY_OWNER && reply !== RequestNameReply.ALREADY_OWNER) {
        throw new Error(`${name} is owned by another process`);
      }
    }
  } catch (err) {
    log.warn({ reason: reason(err), bus: opts.bus }, 'D-Bus unavailable; running without it');
    await stop();
    return null;
  }
  log.info({ bus: opts.bus, names: [BUS_NAME, MPRIS_NAME] }, 'serving on D-Bus');
  return { stop };
}

// The D-Bus adapter: serves LivePlayer as org.liveplayerd (LivePlayer1) and
// as org.mpris.MediaPlayer2.liveplayerd (MPRIS 2). A missing or hostile bus
// never stops the daemon: startDbus logs and returns null, and a connection
// lost later is logged once and dropped.
import { NameFlag, RequestNameReply, sessionBus, systemBus, type MessageBus } from 'dbus-next';
import type { Logger } from 'pino';
import type { LivePlayer } from '../player/player';
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
// systemBus() differs only in where it looks for the address.
function connect(opts: DbusOptions): MessageBus {
  if (opts.address) return sessionBus({ busAddress: opts.address });
  return opts.bus === 'system' ? systemBus() : sessionBus();
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
    log.warn({ err, bus: opts.bus }, 'D-Bus unavailable; running without it');
    return null;
  }
  let connected = false;
  let lost = false;
  const lp1 = new LivePlayer1(player, log);
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
  // Without a listener an 'error' event would throw; after the connection is
  // up, the first error means it is gone: stop mirroring and say so once.
  bus.on('error', (err: unknown) => {
    if (!connected || lost) return;
    lost = true;
    detach();
    log.warn({ err, bus: opts.bus }, 'D-Bus connection lost; running without it');
  });

  let stopped = false;
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
    log.warn({ err, bus: opts.bus }, 'D-Bus unavailable; running without it');
    await stop();
    return null;
  }
  log.info({ bus: opts.bus, names: [BUS_NAME, MPRIS_NAME] }, 'serving on D-Bus');
  return { stop };
}

// Composes the phone remote for the daemon: phone sessions (the Auth's
// SessionVerifier), the pairing code, the channels, the routes' deps, and the
// TV idle screen. One call in daemon.ts, one stop().
import type { Logger } from 'pino';
import type { Config } from '../config/load';
import type { Auth } from '../http/auth';
import type { LivePlayer } from '../player/player';
import { ChannelStore } from './channels';
import { PairingService } from './pairing';
import type { RemoteDeps } from './routes';
import { SessionStore } from './session-store';
import { TvScreen } from '../tv/screen';
import type { DisplaySize } from '../tv/display-size';

export interface RemoteStartOptions {
  config: Readonly<Config>;
  player: LivePlayer;
  auth: Auth;
  log: Logger;
  /** Fixed address for the QR code (e.g. behind a name the school's DNS knows); default: config.publicUrl, else derived from the listening address. */
  baseUrl?: string;
  /** The TV's size in pixels and whether cards may cover a playing stream (not on an exclusive KMS display). */
  display?: { size: DisplaySize; overlays: boolean; exclusive?: boolean };
  /** Told when saving paired phones or channels fails (file, error) or works again (file, null); without it a failed save throws. */
  onSave?: (file: string, err: Error | null) => void;
}

export interface Remote {
  pairing: PairingService;
  sessions: SessionStore;
  routes: RemoteDeps;
  /** The TV idle screen; `screen.showing` tells whether it is on the TV now. */
  screen: TvScreen;
  /** Tells the pairing the real port once the server listens. */
  listening(host: string, port: number): void;
  stop(): Promise<void>;
}

/** Called once by the daemon before buildApp(). */
export function startRemote(opts: RemoteStartOptions): Remote {
  const sessions = new SessionStore({ stateDir: opts.config.stateDir, onSave: opts.onSave });
  const pairing = new PairingService({ sessions, baseUrl: opts.baseUrl ?? opts.config.publicUrl });
  opts.auth.sessions = sessions;
  const channels = new ChannelStore(opts.config.stateDir, opts.config.fleetChannels ?? [], opts.onSave);
  const screen = new TvScreen({
    player: opts.player,
    pairing,
    name: opts.config.name,
    videoSink: opts.config.videoSink,
    log: opts.log,
    language: opts.config.language,
    stallTimeoutMs: opts.config.stallTimeout * 1000,
    ...(opts.display ? { screen: opts.display.size, overlays: opts.display.overlays, exclusive: opts.display.exclusive === true } : {}),
    // Bad fleet or device variables are shown where the admin walking past will see them.
    warnings: opts.config.configWarnings,
  });
  opts.log.child({ module: 'remote' }).info({ phones: sessions.size }, 'phone remote ready');
  return {
    pairing,
    sessions,
    screen,
    routes: { pairing, sessions, channels, screen, cookieName: opts.auth.cookieName, deviceName: opts.config.name },
    listening(host, port) {
      pairing.setListenAddress(host, port);
      // Started once the address is known, so the first QR code is already right.
      screen.start();
    },
    async stop() {
      pairing.close();
      await screen.stop();
    },
  };
}

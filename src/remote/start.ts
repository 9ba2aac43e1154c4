// Composes the phone remote for the daemon: phone sessions (the Auth's
// SessionVerifier), the pairing code, the channels and the routes' deps; the
// TV screen (made by the daemon whether or not HTTP is on) gets the pairing.
// One call in daemon.ts, one stop().
import type { Logger } from 'pino';
import type { Config } from '../config/load';
import type { Auth } from '../http/auth';
import type { LivePlayer } from '../player/player';
import { ChannelStore } from './channels';
import { PairingService } from './pairing';
import type { RemoteDeps } from './routes';
import { SessionStore } from './session-store';
import type { TvScreen } from '../tv/screen';

export interface RemoteStartOptions {
  config: Readonly<Config>;
  player: LivePlayer;
  auth: Auth;
  log: Logger;
  /** Fixed address for the QR code (e.g. behind a name the school's DNS knows); default: config.publicUrl, else derived from the listening address. */
  baseUrl?: string;
  /** The TV screen, which shows the pairing code from now on. */
  screen: TvScreen;
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
  const screen = opts.screen;
  screen.usePairing(pairing);
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
    },
  };
}

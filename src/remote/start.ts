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

export interface RemoteStartOptions {
  config: Readonly<Config>;
  player: LivePlayer;
  auth: Auth;
  log: Logger;
  /** Fixed address for the QR code (e.g. behind a name the school's DNS knows); default: derived from the listening address. */
  baseUrl?: string;
}

export interface Remote {
  pairing: PairingService;
  sessions: SessionStore;
  routes: RemoteDeps;
  /** Tells the pairing the real port once the server listens. */
  listening(host: string, port: number): void;
  stop(): Promise<void>;
}

/** Called once by the daemon before buildApp(). */
export function startRemote(opts: RemoteStartOptions): Remote {
  const sessions = new SessionStore({ stateDir: opts.config.stateDir });
  const pairing = new PairingService({ sessions, baseUrl: opts.baseUrl });
  opts.auth.sessions = sessions;
  const channels = new ChannelStore(opts.config.stateDir);
  opts.log.child({ module: 'remote' }).info({ phones: sessions.size }, 'phone remote ready');
  return {
    pairing,
    sessions,
    routes: { pairing, sessions, channels, cookieName: opts.auth.cookieName, deviceName: opts.config.name },
    listening: (host, port) => pairing.setListenAddress(host, port),
    async stop() {
      pairing.close();
    },
  };
}

// What the HTTP surface is built from: the player and the services the
// composer (src/daemon.ts) hands it, and the ports it declares for them.
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/load';
import type { Health } from '../os/health';
import type { LivePlayer } from '../player/player';
import type { Auth } from './auth';
import type { Metrics } from './metrics';

/** The port through which the HTTP surface reaches the pairing of phones (src/remote implements it). */
export interface Pairing {
  /** The one-time pairing address the TV's QR code shows right now. */
  current(): { url: string; expiresAt: string } | Promise<{ url: string; expiresAt: string }>;
  /** Revokes every paired phone ("forget all phones"). */
  forgetAll(): void | Promise<void>;
  /** Shows the pairing code in a corner of the TV for `ms` without stopping the picture; absent where there is no TV screen. */
  showOnTv?(ms: number): { until: string };
}

export interface HttpDeps {
  player: LivePlayer;
  log: Logger;
  config: Readonly<Config>;
  auth: Auth;
  /** Folder the engine writes snapshots to; only plain files directly in it are served. */
  snapshotDir: string;
  metrics: Metrics;
  /** The pairing of phones; absent = the pairing routes answer 501. */
  pairing?: Pairing;
  /**
   * Features the composer adds to the surface (the phone remote's page,
   * /pair and /api/v1/channels), each a fastify plugin registered at the
   * root after the API; the HTTP surface knows nothing of them.
   */
  routers?: readonly FastifyPluginAsync[];
  /** Reasons the daemon runs degraded, for /healthz; absent = always "ok". */
  health?: Health;
}

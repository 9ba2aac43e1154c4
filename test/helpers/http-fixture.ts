// A real LivePlayer over the fake engine (./fake-engine.ts), with the real
// token file, Auth, Metrics and app, for the HTTP tests. The engine records
// what the player asks of it and lets a test play the part of the media worker.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/load';
import type { SnapshotRequest, SnapshotResult } from '../../src/player/engine';
import { LivePlayer } from '../../src/player/player';
import { buildApp, type HttpOptions } from '../../src/http/app';
import { createAuth, type SessionVerifier } from '../../src/http/auth';
import { createMetrics } from '../../src/http/metrics';
import type { Pairing } from '../../src/http/deps';
import { resolveToken } from '../../src/os/token';
import { FakeEngine } from './fake-engine';

/** A 1x1 PNG, so the snapshot round trip serves a real image. */
export const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

/** The fake engine with snapshots written as real files, so the route can serve (or refuse) them. */
export class SnapshotFileEngine extends FakeEngine {
  /** Where snapshot() writes; tests may point it elsewhere to prove the route refuses. */
  snapshotTarget: string;
  private n = 0;

  constructor(snapshotDir: string) {
    super();
    this.snapshotTarget = snapshotDir;
  }

  protected override async takeSnapshot(req: SnapshotRequest): Promise<SnapshotResult> {
    const file = path.join(this.snapshotTarget, `snap-${++this.n}.${req.quality === 'raw' ? 'png' : 'jpg'}`);
    fs.writeFileSync(file, PNG_1X1);
    return { path: file, width: 1, height: 1 };
  }
}

export interface FixtureOptions {
  http?: HttpOptions;
  pairing?: Pairing;
  sessions?: SessionVerifier;
  allowedHosts?: string[];
  /** A logger to capture lines with (default: silent). */
  log?: pino.Logger;
}

export interface Fixture {
  app: FastifyInstance;
  player: LivePlayer;
  engine: SnapshotFileEngine;
  stateDir: string;
  snapshotDir: string;
  token: () => string;
  /** Authorization and Host headers a good client sends. */
  headers: () => Record<string, string>;
  /** Starts listening on 127.0.0.1 and returns the base URL. */
  listen: () => Promise<string>;
}

interface Tap {
  teardown(fn: () => unknown): void;
}

export async function httpFixture(t: Tap, o: FixtureOptions = {}): Promise<Fixture> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-http-'));
  const snapshotDir = path.join(stateDir, 'snapshots');
  fs.mkdirSync(snapshotDir);
  const argv = ['--state-dir', stateDir, ...(o.allowedHosts ? ['--allowed-hosts', o.allowedHosts.join(',')] : [])];
  const { config } = loadConfig(argv, {});
  const log = o.log ?? pino({ level: 'silent' });
  const engine = new SnapshotFileEngine(snapshotDir);
  const player = new LivePlayer({ engine, log, reconnect: { attempts: 3, intervalMs: 20 } });
  const token = resolveToken(stateDir);
  const auth = createAuth({ token, sessions: o.sessions });
  const metrics = createMetrics(player);
  const app = buildApp({ player, log, config, auth, snapshotDir, metrics, pairing: o.pairing }, o.http);
  t.teardown(async () => {
    await app.close();
    metrics.close();
    await player.shutdown();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });
  await app.ready();
  return {
    app,
    player,
    engine,
    stateDir,
    snapshotDir,
    token: () => token.current(),
    headers: () => ({ authorization: `Bearer ${token.current()}` }),
    listen: async () => {
      await app.listen({ host: '127.0.0.1', port: 0 });
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    },
  };
}

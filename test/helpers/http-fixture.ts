// A real LivePlayer over a small recording engine, with the real token file,
// Auth, Metrics and app, for the HTTP tests. The engine records what the
// player asks of it and lets a test play the part of the media worker.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/load';
import type { Attributes } from '../../src/player/attributes';
import type { EngineEvents, MediaEngine, MediaSession, SessionOptions, SnapshotRequest, SnapshotResult } from '../../src/player/engine';
import { LivePlayer } from '../../src/player/player';
import type { StatusCode } from '../../src/player/status-codes';
import { buildApp, type HttpOptions } from '../../src/http/app';
import { createAuth, type SessionVerifier } from '../../src/http/auth';
import { createMetrics } from '../../src/http/metrics';
import type { Pairing } from '../../src/http/deps';
import { resolveToken } from '../../src/os/token';

/** A 1x1 PNG, so the snapshot round trip serves a real image. */
export const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

export class RecordingEngine implements MediaEngine {
  readonly restartKeys: readonly (keyof Attributes)[] = ['mode'];
  readonly calls: string[] = [];
  events: EngineEvents | null = null;
  opened: SessionOptions[] = [];
  /** Where snapshot() writes; tests may point it elsewhere to prove the route refuses. */
  snapshotTarget: string;
  private n = 0;

  constructor(snapshotDir: string) {
    this.snapshotTarget = snapshotDir;
  }

  open(opts: SessionOptions, events: EngineEvents): MediaSession {
    this.calls.push('open');
    this.opened.push(opts);
    this.events = events;
    const rec = (c: string) => this.calls.push(c);
    return {
      reconnect: () => rec('reconnect'),
      pause: async () => void rec('pause'),
      resume: async () => void rec('resume'),
      update: () => rec('update'),
      snapshot: async (req: SnapshotRequest): Promise<SnapshotResult> => {
        rec(`snapshot:${req.quality}:${req.sourceType}`);
        const file = path.join(this.snapshotTarget, `snap-${++this.n}.${req.quality === 'raw' ? 'png' : 'jpg'}`);
        fs.writeFileSync(file, PNG_1X1);
        return { path: file, width: 1, height: 1 };
      },
      stop: async () => void rec('stop'),
    };
  }

  /** Plays the normal start: 2001, 2002, 2003, 2008, 2004 (the player moves to playing). */
  start(): void {
    for (const c of [2001, 2002, 2003, 2008, 2004] as StatusCode[]) this.events!.code(c);
  }

  async close(): Promise<void> {
    this.calls.push('close');
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
  engine: RecordingEngine;
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
  const engine = new RecordingEngine(snapshotDir);
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

// Time to first frame, one measurement at a time: warm (a running daemon,
// POST play -> SSE 2004) and cold (spawn -> first-frame marker). On a server
// without GOP cache the time is split at the key frame: the wait for it is
// the publisher's GOP, the rest is the player's own cost.
import { performance } from 'node:perf_hooks';
import type { RunningDaemon, Subscription } from '../test/helpers/daemon';
import { startKeyFrameProbe, type KeyFrameProbe } from './keyframe-probe';
import { launch, type PlayerKind } from './players';
import type { Source } from './servers';
import { sleep } from './time';

export interface TtffSample {
  player: PlayerKind;
  mode: 'warm' | 'cold' | 'switch';
  /** liveplayerd: the daemon's extra arguments when a variant was measured (e.g. --spare-worker idle). */
  variant?: string;
  source: Source['key'];
  run: number;
  /** ms from play (warm) or spawn (cold) to the first frame; NaN when it failed. */
  ttff: number;
  /** ms from play/spawn to the key frame the player started from (probe), no-GOP-cache servers only. */
  keyWait?: number;
  /** ms from that key frame to the first frame (probe-based). */
  own?: number;
  /** liveplayerd only: 2004 - 2003 from its own codes. */
  own2003?: number;
  /** Warm only: ms from the play request to each status code, from the daemon's own log timestamps. */
  phases?: Record<string, number>;
  /** Warm only: the daemon's log lines between play and 2004, for profiling. */
  logLines?: string[];
  error?: string;
}

/** The probe connects a moment before the player so that it sees every key frame the player could start from. */
async function withProbe(src: Source): Promise<KeyFrameProbe | null> {
  if (src.gopCache) return null;
  const probe = startKeyFrameProbe(src.url);
  await sleep(300);
  return probe;
}

function split(s: TtffSample, probe: KeyFrameProbe | null, t0: number, frameAt: number): void {
  const key = probe?.keyFrameBefore(frameAt);
  if (key === undefined) return;
  s.keyWait = key - t0;
  s.own = frameAt - key;
}

/** One warm start on a daemon that is running and stopped. */
export async function warmOnce(d: RunningDaemon, sub: Subscription, src: Source, run: number, variant?: string): Promise<TtffSample> {
  const s: TtffSample = { player: 'liveplayerd', mode: 'warm', source: src.key, run, ttff: NaN, ...(variant ? { variant } : {}) };
  await d.api('PATCH', '/api/v1/player', { src: src.url });
  const probe = await withProbe(src);
  try {
    const from = sub.events.length;
    const logFrom = d.logs().length;
    const wall0 = Date.now();
    const t0 = performance.now();
    const res = await d.api('POST', '/api/v1/player/play');
    if (res.status !== 200) throw new Error(`play: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const e4 = await sub.waitForCode(2004, 15000, from);
    const e3 = sub.events.slice(from).find((e) => e.event === 'statechange' && e.data.code === 2003);
    s.ttff = e4.at - t0;
    if (e3) s.own2003 = e4.at - e3.at;
    split(s, probe, t0, e4.at);
    // pino stamps lines in ms: where the warm-start milliseconds go, code by code.
    await sleep(50);
    s.logLines = d.logs().slice(logFrom);
    s.phases = {};
    for (const line of s.logLines) {
      try {
        const j = JSON.parse(line) as { msg?: string; code?: number; time?: number };
        if (j.msg === 'status' && j.code && j.time && !(String(j.code) in s.phases)) s.phases[String(j.code)] = j.time - wall0;
      } catch {
        /* not JSON */
      }
    }
  } catch (e) {
    s.error = (e as Error).message;
  } finally {
    probe?.close();
    await d.api('POST', '/api/v1/player/stop');
  }
  return s;
}

/**
 * A src switch while playing: the daemon plays `from` until its 2004 and a
 * moment more (the spare worker, where one is kept while playing, is back),
 * then PATCH src to `to`; the time from the PATCH to the 2004 of the new
 * stream. Stopped afterwards.
 */
export async function switchOnce(d: RunningDaemon, sub: Subscription, from: Source, to: Source, run: number, variant?: string): Promise<TtffSample> {
  const s: TtffSample = { player: 'liveplayerd', mode: 'switch', source: to.key, run, ttff: NaN, ...(variant ? { variant } : {}) };
  try {
    await d.api('PATCH', '/api/v1/player', { src: from.url });
    let mark = sub.events.length;
    await d.api('POST', '/api/v1/player/play');
    await sub.waitForCode(2004, 15000, mark);
    await sleep(2500);
    mark = sub.events.length;
    const t0 = performance.now();
    const res = await d.api('PATCH', '/api/v1/player', { src: to.url });
    if (res.status !== 200) throw new Error(`PATCH src: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const e4 = await sub.waitForCode(2004, 15000, mark);
    s.ttff = e4.at - t0;
  } catch (e) {
    s.error = (e as Error).message.split('\n')[0];
  } finally {
    await d.api('POST', '/api/v1/player/stop');
  }
  return s;
}

/** One cold start: spawn the player, wait for its first frame, stop it. */
export async function coldOnce(kind: PlayerKind, src: Source, run: number): Promise<TtffSample> {
  const s: TtffSample = { player: kind, mode: 'cold', source: src.key, run, ttff: NaN };
  const probe = await withProbe(src);
  const p = launch(kind, src.url, { timeoutMs: 60000, server: src.key.startsWith('nginx') ? 'nginx' : 'nms' });
  try {
    const at = await p.firstFrame;
    s.ttff = at - p.t0;
    if (p.keyFrame) {
      const k = await Promise.race([p.keyFrame, sleep(0).then(() => NaN)]);
      if (Number.isFinite(k)) s.own2003 = at - k;
    }
    split(s, probe, p.t0, at);
  } catch (e) {
    s.error = (e as Error).message.split('\n')[0];
  } finally {
    probe?.close();
    await p.stop();
  }
  return s;
}

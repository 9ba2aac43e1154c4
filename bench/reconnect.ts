// Reconnection: one daemon per server plays through an outage proxy; the
// proxy drops every connection and refuses new ones for `downMs`, then accepts
// again. Measured: proxy back -> the daemon's next 2004. The daemons retry
// every 0.5 s (RECONNECT_ARGS), so up to 0.5 s of that is the retry interval.
// Also recorded once: what a killed and restarted publisher does to a player.
import { performance } from 'node:perf_hooks';
import type { RunningDaemon, Subscription } from '../test/helpers/daemon';
import { startBenchDaemon as startDaemon } from './daemon';
import { startKeyFrameProbe } from './keyframe-probe';
import { startOutageProxy, type OutageProxy } from './outage-proxy';
import type { BenchMedia, Source } from './servers';
import { sleep } from './time';

/** Retry every 0.5 s, with attempts enough for any outage in the bench. */
export const RECONNECT_ARGS = ['--reconnect-interval', '0.5', '--reconnect-attempts', '1000'];

export interface ReconnectSample {
  run: number;
  source: Source['key'];
  /** ms from the route being back to the daemon's next 2004. */
  fromBack: number;
  /** Whether a 2004 came while the route was still cut (frames buffered before the cut). */
  earlyFrameCode?: boolean;
  /** ms from the route being back to the key frame the daemon restarted from (a plain reader's view). */
  keyWait?: number;
  error?: string;
}

export interface ReconnectRig {
  daemons: { src: Source; proxy: OutageProxy; d: RunningDaemon; sub: Subscription }[];
  stop(): Promise<void>;
}

const portOf = (url: string) => Number(/127\.0\.0\.1:(\d+)/.exec(url)![1]);

/** One proxied daemon per source, each playing. */
export async function startReconnectRig(sources: Source[]): Promise<ReconnectRig> {
  const daemons: ReconnectRig['daemons'] = [];
  const proxies: OutageProxy[] = [];
  const stop = async () => {
    for (const x of daemons) await x.d.stop();
    for (const p of proxies) await p.close();
  };
  try {
    for (const src of sources) {
      const proxy = await startOutageProxy(portOf(src.url));
      proxies.push(proxy);
      const d = await startDaemon({ args: RECONNECT_ARGS });
      const sub = await d.subscribe();
      daemons.push({ src, proxy, d, sub });
      await d.api('PATCH', '/api/v1/player', { src: proxy.via(src.url) });
      await d.api('POST', '/api/v1/player/play');
      await sub.waitForCode(2004, 30000);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { daemons, stop };
}

/** Cuts every proxy for `downMs`, restores them together and times each daemon's return to 2004. */
export async function reconnectOnce(rig: ReconnectRig, run: number, downMs = 2000): Promise<ReconnectSample[]> {
  const marks = rig.daemons.map((x) => x.sub.events.length);
  for (const x of rig.daemons) await x.proxy.cut();
  await sleep(downMs);
  for (const x of rig.daemons) await x.proxy.restore();
  const backAt = performance.now();
  const probes = rig.daemons.map((x) => startKeyFrameProbe(x.proxy.via(x.src.url)));
  try {
    return await Promise.all(
      rig.daemons.map(async (x, i): Promise<ReconnectSample> => {
        const s: ReconnectSample = { run, source: x.src.key, fromBack: NaN };
        try {
          await x.sub.waitForCode(2103, 5000, marks[i]);
          // Only a 2004 after the new connection counts: the engine may announce one for frames
          // still buffered from before the cut (see docs/performance.md).
          const e1 = await x.sub.waitFor((e) => e.event === 'statechange' && e.data.code === 2001 && e.at >= backAt, 20000, '2001 after restore');
          const from = x.sub.events.indexOf(e1);
          const e4 = await x.sub.waitForCode(2004, 20000, from);
          s.fromBack = e4.at - backAt;
          s.earlyFrameCode = x.sub.events.slice(marks[i]).some((e) => e.event === 'statechange' && e.data.code === 2004 && e.at < backAt);
          const key = probes[i].keyFrameBefore(e4.at);
          if (key !== undefined) s.keyWait = key - backAt;
        } catch (e) {
          s.error = (e as Error).message.slice(0, 300);
        }
        return s;
      }),
    );
  } finally {
    for (const p of probes) p.close();
  }
}

export interface PublisherLossResult {
  source: Source['key'];
  /** Status codes from the kill until 5 s after the new publisher started. */
  codes: number[];
  /** Whether the daemon showed a frame again without being told to play. */
  returned: boolean;
  state: string;
}

/** Kills and restarts the publisher once and records what each daemon does; leaves them playing again. */
export async function publisherLoss(media: BenchMedia, rig: ReconnectRig): Promise<PublisherLossResult[]> {
  const marks = rig.daemons.map((x) => x.sub.events.length);
  await media.killPublisher();
  await sleep(2000);
  media.restartPublisher();
  await media.waitReadable();
  await sleep(5000);
  const out: PublisherLossResult[] = [];
  for (const [i, x] of rig.daemons.entries()) {
    const codes = x.sub.events.slice(marks[i]).filter((e) => e.event === 'statechange').map((e) => e.data.code as number);
    const state = (await x.d.api('GET', '/api/v1/player')).body.state as string;
    out.push({ source: x.src.key, codes: codes.filter((c) => c !== 2005), returned: codes.includes(2004), state });
    if (state !== 'playing') {
      const from = x.sub.events.length;
      await x.d.api('POST', '/api/v1/player/play');
      await x.sub.waitForCode(2004, 20000, from);
    }
  }
  return out;
}

// The measurements only liveplayerd has: control latency with 50 SSE
// subscribers while it plays, and start-up to /healthz (reconnection is in
// ./reconnect.ts).
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { startBenchDaemon as startDaemon } from './daemon';
import { runLatency } from './control-latency';
import { launch } from './players';
import type { Source } from './servers';
import { sleep } from './time';

export interface ControlSample {
  run: number;
  muteP50: number;
  muteP99: number;
  getP50: number;
  getP99: number;
}

/** p50/p99 of POST mute and GET player (bench/control-latency.ts) on a daemon playing `src`. */
export async function controlOnce(src: Source, run: number, iterations: number): Promise<ControlSample> {
  const d = await startDaemon();
  try {
    const sub = await d.subscribe();
    await d.api('PATCH', '/api/v1/player', { src: src.url });
    await d.api('POST', '/api/v1/player/play');
    await sub.waitForCode(2004, 15000);
    sub.close();
    const r = await runLatency({ base: d.base, token: d.token(), subscribers: 50, iterations });
    return { run, muteP50: r.mute.p50, muteP99: r.mute.p99, getP50: r.get.p50, getP99: r.get.p99 };
  } finally {
    await d.stop();
  }
}

/** ms from spawning the daemon to the first 200 from /healthz (polled every 2 ms once the port is known). */
export async function healthzOnce(): Promise<number> {
  const p = launch('liveplayerd', '', { idle: true });
  try {
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no "http listening" in 20 s')), 20000);
      let buf = '';
      p.proc.stdout!.on('data', (d: string | Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        const line = lines.find((l) => l.includes('"http listening"'));
        if (line) (clearTimeout(timer), resolve((JSON.parse(line) as { address: string }).address));
      });
    });
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        http.get(`http://${address}/healthz`, (res) => (res.resume(), resolve(res.statusCode === 200))).on('error', () => resolve(false));
      });
      if (ok) return performance.now() - p.t0;
      await sleep(2);
    }
  } finally {
    await p.stop();
  }
}

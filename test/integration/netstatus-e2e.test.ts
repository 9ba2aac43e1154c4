// netstatus end to end: real ffmpeg publishers of known parameters on
// nginx-rtmp, the real daemon playing through a pass-through proxy, and every
// netstatus key compared with a truth measured independently of the meter:
// stream figures from a second reader of the same stream (stream-truth.ts),
// netSpeed from the bytes the proxy forwarded over the same period. The same
// keys must reach the D-Bus NetStatus signal (gdbus monitor on a private bus)
// and /metrics. Medians over the samples of a 10 s window after settling.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import t, { type Test } from 'tap';
import { startDaemon, type RunningDaemon } from '../helpers/daemon';
import { startDbusDaemon } from '../helpers/dbus-daemon';
import { startFaultProxy } from '../helpers/fault-proxy';
import { startNginxRtmp, startPublisher, waitForStream, type NginxRtmp, type PublisherOptions } from '../helpers/media-servers';
import { median, streamTruth } from '../helpers/stream-truth';
import { collect, sleep } from '../helpers/tag-collector';

const TOLERANCE = 0.15;
/** After the first frame: the rate windows (2 s, or one GOP) fill and the start-up burst leaves the jitter average. */
const SETTLE_MS = 8000;
const WINDOW_MS = 10000;

interface Case {
  name: string;
  pub: PublisherOptions;
}

const CASES: Case[] = [
  { name: 'A 1280x720 30 fps 2 Mb/s GOP 2 s, AAC 96 kb/s', pub: { width: 1280, height: 720, fps: 30, bitrateKbps: 2000, gopSeconds: 2, audio: true, audioKbps: 96, cbr: true } },
  { name: 'B 640x360 25 fps 800 kb/s GOP 1 s, AAC 64 kb/s', pub: { width: 640, height: 360, fps: 25, bitrateKbps: 800, gopSeconds: 1, audio: true, audioKbps: 64, cbr: true } },
];

let nginx: NginxRtmp;
let busAddress = '';
t.before(async () => {
  nginx = await startNginxRtmp();
  t.teardown(() => nginx.stop());
  const bus = await startDbusDaemon({ defaults: 'session' });
  t.teardown(() => bus.stop());
  busAddress = bus.address;
});

/** NetStatus signals as gdbus monitor prints them: `...NetStatus ({'videoBitrate': <2003.0>, ...},)`. */
function watchNetStatusSignals(tt: Test): { samples: { at: number; info: Record<string, number> }[] } {
  const out = { samples: [] as { at: number; info: Record<string, number> }[] };
  const mon = spawn('gdbus', ['monitor', '--address', busAddress, '--dest', 'org.liveplayerd', '--object-path', '/org/liveplayerd/Player'], { stdio: ['ignore', 'pipe', 'ignore'] });
  tt.teardown(() => void mon.kill('SIGTERM'));
  let buf = '';
  mon.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.includes('LivePlayer1.NetStatus')) continue;
      const info: Record<string, number> = {};
      for (const m of line.matchAll(/'(\w+)': <([-+\d.e]+|nan|inf)>/g)) info[m[1]!] = Number(m[2]);
      out.samples.push({ at: performance.now(), info });
    }
  });
  return out;
}

async function dbusReady(d: RunningDaemon): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (d.logs().some((l) => l.includes('serving on D-Bus'))) return;
    await sleep(100);
  }
  throw new Error('daemon did not serve on D-Bus within 20 s');
}

function metricsValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^liveplayer_netstatus\{key="(\w+)"\} (\S+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

const within = (value: number, truth: number): boolean => Math.abs(value - truth) <= TOLERANCE * Math.abs(truth);

for (const c of CASES) {
  t.test(`netstatus keys within 15% of the truth: ${c.name}`, { timeout: 150000 }, async (tt) => {
    const stream = `ns${c.pub.width}`;
    const pub = await startPublisher(nginx.rtmpUrl(stream), c.pub);
    tt.teardown(() => pub.stop());
    await waitForStream(nginx.rtmpUrl(stream), 20000);
    const proxy = await startFaultProxy({ targetPort: nginx.port });
    tt.teardown(() => proxy.stop());
    const d = await startDaemon({ args: ['--dbus', 'session'], env: { DBUS_SESSION_BUS_ADDRESS: busAddress } });
    tt.teardown(() => d.stop());
    await dbusReady(d);
    const signals = watchNetStatusSignals(tt);
    const sub = await d.subscribe();
    const truthReader = collect(nginx.rtmpUrl(stream));
    tt.teardown(() => truthReader.stop());

    tt.equal((await d.api('PATCH', '/api/v1/player', { src: proxy.via(nginx.rtmpUrl(stream)) })).status, 200);
    tt.same((await d.api('POST', '/api/v1/player/play')).body, { errMsg: 'play:ok' });
    await sub.waitForCode(2004, 20000);
    await sleep(SETTLE_MS);

    const t0 = performance.now();
    const c0 = truthReader.now();
    const bytes0 = proxy.counters.down.bytesOut;
    await sleep(WINDOW_MS);
    const bytes1 = proxy.counters.down.bytesOut;
    const t1 = performance.now();
    const c1 = truthReader.now();
    const metrics = metricsValues(String((await d.api('GET', '/metrics')).body));

    const truth = streamTruth(truthReader.tags, c0, c1);
    const netKbps = ((bytes1 - bytes0) * 8) / (t1 - t0);
    const sse = sub.events.filter((e) => e.event === 'netstatus' && e.at >= t0 && e.at < t1).map((e) => e.data.info as Record<string, number>);
    const bus = signals.samples.filter((s) => s.at >= t0 && s.at < t1).map((s) => s.info);
    tt.ok(sse.length >= 7, `about one netstatus a second on SSE: ${sse.length} in ${WINDOW_MS / 1000} s`);
    tt.ok(bus.length >= 7, `about one NetStatus a second on D-Bus: ${bus.length} in ${WINDOW_MS / 1000} s`);

    const frameMs = 1000 / c.pub.fps;
    // Rates and sizes: within 15% of the independent reading (and of what the publisher was told).
    const RELATIVE: [string, number][] = [
      ['videoBitrate', truth.videoKbps],
      ['audioBitrate', truth.audioKbps],
      ['videoFPS', truth.fps],
      ['videoGOP', truth.gopSeconds],
      ['netSpeed', netKbps],
      ['videoWidth', c.pub.width],
      ['videoHeight', c.pub.height],
    ];
    const report: string[] = [];
    for (const [surface, samples] of [['SSE', sse], ['D-Bus', bus]] as const) {
      for (const [key, want] of RELATIVE) {
        const got = median(samples.map((s) => s[key]!).filter((v) => v !== undefined));
        tt.ok(within(got, want), `${surface} ${key}: median ${got.toFixed(2)} vs truth ${want.toFixed(2)} (±15%)`);
        if (surface === 'SSE') report.push(`${key} ${got.toFixed(1)} / ${want.toFixed(1)}`);
      }
      // A local link adds next to no jitter; what remains is the publisher's
      // own pacing (ffmpeg -re) and nginx's chunking, well under a frame interval.
      const jitter = median(samples.map((s) => s.netJitter!));
      tt.ok(jitter >= 0 && jitter < frameMs, `${surface} netJitter: median ${jitter} ms < one frame interval (${frameMs.toFixed(0)} ms)`);
      if (surface === 'SSE') report.push(`netJitter ${jitter} / <${frameMs.toFixed(0)}`);
      // Caches: ms received but not yet played (newest timestamp handed to
      // the pipeline minus its playback position). This pipeline keeps no
      // deliberate buffer yet (minCache is item 4 of the issue): frames are
      // rendered as they arrive, so the truth is what is in flight in the
      // decoder and the sink, at most about two frame intervals.
      for (const key of ['videoCache', 'audioCache']) {
        const got = median(samples.map((s) => s[key]!));
        tt.ok(got >= 0 && got <= 2 * frameMs, `${surface} ${key}: median ${got} ms within [0, ${(2 * frameMs).toFixed(0)}] ms`);
        if (surface === 'SSE') report.push(`${key} ${got} / [0, ${(2 * frameMs).toFixed(0)}]`);
      }
    }
    for (const [key] of RELATIVE) tt.ok(Number.isFinite(metrics[key]), `/metrics has liveplayer_netstatus{key="${key}"}: ${metrics[key]}`);
    for (const key of ['netJitter', 'videoCache', 'audioCache']) tt.ok(Number.isFinite(metrics[key]), `/metrics has ${key}: ${metrics[key]}`);
    tt.comment(`${c.name}: measured / truth: ${report.join('; ')}; configured ${c.pub.bitrateKbps} / ${c.pub.audioKbps} kbps, ${c.pub.fps} fps, GOP ${c.pub.gopSeconds} s; truth frames ${truth.videoFrames}`);
  });
}

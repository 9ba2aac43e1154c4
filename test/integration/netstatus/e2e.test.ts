// netstatus end to end: real ffmpeg publishers of known parameters on
// nginx-rtmp and node-media-server, the real daemon playing through a
// pass-through proxy, and every netstatus key compared with a truth measured
// independently of the meter: stream figures from a second reader of the
// same stream (stream-truth.ts), netSpeed from the bytes the proxy forwarded
// over the same period, caches from the frame number painted into the
// picture against the live edge (cacheTruthSample). The same
// keys must reach the D-Bus NetStatus signal (gdbus monitor on a private bus)
// and /metrics. Medians over the samples of a 10 s window after settling.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PNG } from 'pngjs';
import t, { type Test } from 'tap';
import { startDaemon, type RunningDaemon } from '../../helpers/daemon';
import { startDbusDaemon } from '../../helpers/dbus-daemon';
import { startFaultProxy } from '../../helpers/fault-proxy';
import {
  readFrameCounter,
  startNginxRtmp,
  startNodeMediaServer,
  startPublisher,
  waitForStream,
  type NginxRtmp,
  type NodeMediaServer,
  type PublisherOptions,
} from '../../helpers/media-servers';
import { jitterAt, median, streamTruth } from '../../helpers/stream-truth';
import { collect, type Collector } from '../../helpers/tag-collector';
import { sleep } from '../../helpers/time';

const TOLERANCE = 0.15;
/** After the first frame: the rate windows (2 s, or one GOP) fill and the start-up burst leaves the jitter average. */
const SETTLE_MS = 8000;
const WINDOW_MS = 10000;

interface Case {
  name: string;
  /** nginx-rtmp (no GOP cache: the player starts at the live edge) or node-media-server HTTP-FLV (its GOP cache arrives as a burst the player then holds). */
  server: 'nginx' | 'nms';
  pub: PublisherOptions;
}

const CASES: Case[] = [
  { name: 'A 1280x720 30 fps 2 Mb/s GOP 2 s, AAC 96 kb/s, nginx-rtmp', server: 'nginx', pub: { width: 1280, height: 720, fps: 30, bitrateKbps: 2000, gopSeconds: 2, audio: true, audioKbps: 96, cbr: true, frameCounter: true } },
  { name: 'B 640x360 25 fps 800 kb/s GOP 1 s, AAC 64 kb/s, nginx-rtmp', server: 'nginx', pub: { width: 640, height: 360, fps: 25, bitrateKbps: 800, gopSeconds: 1, audio: true, audioKbps: 64, cbr: true, frameCounter: true } },
  { name: 'C 640x360 25 fps 800 kb/s GOP 2 s, AAC 64 kb/s, node-media-server HTTP-FLV', server: 'nms', pub: { width: 640, height: 360, fps: 25, bitrateKbps: 800, gopSeconds: 2, audio: true, audioKbps: 64, cbr: true, frameCounter: true } },
];

// Three publishers of ~30 s each; on a loaded 2-core machine that can pass the 300 s file default.
t.setTimeout(480_000);

let nginx: NginxRtmp;
let nms: NodeMediaServer;
let busAddress = '';
t.before(async () => {
  nginx = await startNginxRtmp();
  t.teardown(() => nginx.stop());
  nms = await startNodeMediaServer();
  t.teardown(() => nms.stop());
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

/**
 * What the player holds, seen from outside: the newest video timestamp on
 * the wire (the independent reader, at the live edge like the player) minus
 * the timestamp of the frame on screen, read from the frame-number barcode
 * of a `stream` snapshot (the snapshot branch gets each frame from the tee
 * as the sink takes it). The edge is read when the request is sent: the
 * frame is captured a frame or two later, while encoding the PNG (up to
 * 300 ms for 720p) comes after and must not count.
 */
async function cacheTruthSample(d: RunningDaemon, truth: Collector, fps: number): Promise<number> {
  const asked = truth.now();
  const r = await d.api('POST', '/api/v1/player/snapshot', { quality: 'raw', sourceType: 'stream' });
  if (r.body.errMsg !== 'snapshot:ok') throw new Error(`snapshot: ${JSON.stringify(r.body)}`);
  const png = PNG.sync.read(readFileSync(path.join(d.stateDir, 'snapshots', path.basename(String(r.body.tempImagePath)))));
  const shownTs = Math.round((readFrameCounter(png.data, png.width) * 1000) / fps);
  const frames = truth.tags.filter((x) => x.tag.type === 9 && x.tag.data[1] === 1 && x.at <= asked);
  return frames.at(-1)!.tag.timestamp - shownTs;
}

for (const c of CASES) {
  t.test(`netstatus keys within 15% of the truth: ${c.name}`, { timeout: 150000 }, async (tt) => {
    const stream = `ns${c.pub.width}${c.server}`;
    const publishTo = c.server === 'nginx' ? nginx.rtmpUrl(stream) : nms.rtmpUrl(stream);
    const playUrl = c.server === 'nginx' ? publishTo : nms.flvUrl(stream);
    const pub = await startPublisher(publishTo, c.pub);
    tt.teardown(() => pub.stop());
    await waitForStream(playUrl, 20000);
    const proxy = await startFaultProxy({ targetPort: c.server === 'nginx' ? nginx.port : nms.httpPort });
    tt.teardown(() => proxy.stop());
    const d = await startDaemon({ args: ['--dbus', 'session'], env: { DBUS_SESSION_BUS_ADDRESS: busAddress } });
    tt.teardown(() => d.stop());
    await dbusReady(d);
    const signals = watchNetStatusSignals(tt);
    const sub = await d.subscribe();
    const truthReader = collect(playUrl);
    tt.teardown(() => truthReader.stop());

    tt.equal((await d.api('PATCH', '/api/v1/player', { src: proxy.via(playUrl) })).status, 200);
    tt.same((await d.api('POST', '/api/v1/player/play')).body, { errMsg: 'play:ok' });
    await sub.waitForCode(2004, 20000);
    await sleep(SETTLE_MS);

    const t0 = performance.now();
    const c0 = truthReader.now();
    const bytes0 = proxy.counters.down.bytesOut;
    const cacheTruth: number[] = [];
    while (performance.now() - t0 < WINDOW_MS - 1500) {
      cacheTruth.push(await cacheTruthSample(d, truthReader, c.pub.fps));
      await sleep(1200);
    }
    await sleep(Math.max(0, WINDOW_MS - (performance.now() - t0)));
    const bytes1 = proxy.counters.down.bytesOut;
    const t1 = performance.now();
    const c1 = truthReader.now();
    const metrics = metricsValues(String((await d.api('GET', '/metrics')).body));

    const truth = streamTruth(truthReader.tags, c0, c1);
    // The reader's jitter at the moments the netstatus samples were sent.
    const jitterTruth = sub.events.filter((e) => e.event === 'netstatus' && e.at >= t0 && e.at < t1).map((e) => jitterAt(truthReader.tags, c0 + (e.at - t0)));
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
      // Jitter: the same RFC 3550 figure computed from the second reader's
      // arrival times, which share the server and the local link with the
      // player's; ±15% or ±8 ms, whichever is larger. On an idle machine it
      // is a few ms, and the two readers agree within 2 ms; in a full CI run
      // on 2 cores (load 4-5) the two processes are scheduled apart and
      // were seen 5.4 ms apart (19.5 vs 14.1). Injected jitter, where the
      // network is the cause, is judged in codes/degradation.test.ts.
      const jitter = median(samples.map((s) => s.netJitter!));
      const jitterWant = median(jitterTruth);
      tt.ok(Math.abs(jitter - jitterWant) <= Math.max(TOLERANCE * jitterWant, 8), `${surface} netJitter: median ${jitter} ms vs truth ${jitterWant.toFixed(1)} ms`);
      if (surface === 'SSE') report.push(`netJitter ${jitter} / ${jitterWant.toFixed(1)}`);
      // Caches: ms received but not yet played. Judged at frame granularity
      // as well as 15%: a snapshot catches the frame the sink took up to one
      // interval ago, and near the live edge what remains is a frame or two
      // in flight. Audio plays in sync with video, so it has the same truth.
      const cacheWant = median(cacheTruth);
      const slack = Math.max(TOLERANCE * cacheWant, 2 * frameMs);
      for (const key of ['videoCache', 'audioCache']) {
        const got = median(samples.map((s) => s[key]!));
        tt.ok(Math.abs(got - cacheWant) <= slack, `${surface} ${key}: median ${got} ms vs truth ${cacheWant} ms (±${slack.toFixed(0)} ms; truth samples ${cacheTruth.join(' ')})`);
        if (surface === 'SSE') report.push(`${key} ${got} / ${cacheWant}`);
      }
    }
    for (const [key] of RELATIVE) tt.ok(Number.isFinite(metrics[key]), `/metrics has liveplayer_netstatus{key="${key}"}: ${metrics[key]}`);
    for (const key of ['netJitter', 'videoCache', 'audioCache']) tt.ok(Number.isFinite(metrics[key]), `/metrics has ${key}: ${metrics[key]}`);
    tt.comment(`${c.name}: measured / truth: ${report.join('; ')}; configured ${c.pub.bitrateKbps} / ${c.pub.audioKbps} kbps, ${c.pub.fps} fps, GOP ${c.pub.gopSeconds} s; truth frames ${truth.videoFrames}`);
  });
}

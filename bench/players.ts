// Starting each player from cold and noticing its first frame. Every marker
// is the earliest line the player itself writes once a decoded video frame
// reached its (fake) video output:
//   liveplayerd  stdout pino line with "code":2004 (video sink prerolled)
//   gst-launch   -m: state-changed READY->PAUSED of the element "vsink" (the
//                same message liveplayerd maps to 2004)
//   ffmpeg       -vf showinfo: the line for frame n:0 (decoded, filtered,
//                about to go to the null muxer; ffmpeg has no clock to wait for)
//   mpv          --msg-level=cplayer=v: "first video frame after restart shown"
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { describePipeline } from '../src/gst/pipeline-description';
import { chooseGeometry } from '../src/gst/element-choice';
import { CLI } from '../test/helpers/daemon';

// A bench that crashes must not leave players behind.
const alive = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of alive) p.kill('SIGKILL');
});

export const PEERS = ['gst-bare', 'gst-launch', 'ffmpeg', 'mpv'] as const;
export type Peer = (typeof PEERS)[number];
export type PlayerKind = 'liveplayerd' | Peer;

export interface Launched {
  kind: PlayerKind;
  proc: ChildProcess;
  /** performance.now() just before spawn. */
  t0: number;
  /** performance.now() of the first-frame marker; rejects if the process exits or times out first. */
  firstFrame: Promise<number>;
  /** liveplayerd only: performance.now() of its 2003 (first key frame received). */
  keyFrame?: Promise<number>;
  /** Output so far, for failure messages. */
  tail(): string;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  /** Marker-free variant for CPU runs (ffmpeg without showinfo). */
  quiet?: boolean;
  env?: Record<string, string>;
  args?: string[];
  timeoutMs?: number;
  /** liveplayerd only: start without LIVEPLAYER_SRC/AUTOPLAY (start-up measurements). */
  idle?: boolean;
  /** gst-bare: the server behind the URL (rtmp2src for nginx-rtmp, rtmpsrc for node-media-server). */
  server?: 'nginx' | 'nms';
}

/**
 * Every daemon the bench starts shows full screen on a 1280x720 "TV", the
 * stream's own size: no scaling is needed, as with a display plane that
 * scales (kmssink in full screen). With the fallback 1920x1080 the fake sink
 * would get 720p scaled up in software, a cost no board pays in full screen.
 */
export const BENCH_DAEMON_ARGS = ['--display-size', '1280x720', '--start-view', 'fullscreen'];

/**
 * The daemon's runtime as the launchers start it (systemd/liveplayerd.service,
 * packaging/deb/liveplayerd.sh, Dockerfile.template): two malloc arenas and a
 * 1 MiB young generation. NODE_OPTIONS also reaches the workers, which set the
 * same flag themselves.
 */
export const SHIPPED_RUNTIME_ENV: Record<string, string> = { MALLOC_ARENA_MAX: '2', NODE_OPTIONS: '--max-semi-space-size=1' };

/** The pipeline liveplayerd builds (gst-pipelines/live.pipeline, fake sinks) with a network source in place of appsrc. */
export function gstLaunchDescription(url: string, server: 'nginx' | 'nms' = 'nms'): string {
  const desc = describePipeline({ variant: 'live', video_decoder: 'avdec_h264', video_sink: 'fakesink sync=true', audio_sink: 'fakesink sync=true async=false', ...turns() });
  return desc.replace(/^appsrc[^\n]*/m, networkSource(url, server)).replace(/\s+/g, ' ').trim();
}

/** The network source a user would put first: rtmp2src for nginx-rtmp, rtmpsrc (librtmp) for node-media-server's RTMP, which rtmp2src cannot play, souphttpsrc for HTTP-FLV. */
function networkSource(url: string, server: 'nginx' | 'nms'): string {
  if (url.startsWith('http')) return `souphttpsrc location="${url}" is-live=true`;
  return server === 'nginx' ? `rtmp2src location="${url}"` : `rtmpsrc location="${url} live=1"`;
}

/**
 * The pipeline a user would run by hand instead: the network source, demuxer,
 * parser, decoders and fake sinks, nothing else (no tee, valves, geometry,
 * level or volume). rtmp2src for nginx-rtmp, rtmpsrc (librtmp) for
 * node-media-server's RTMP, which rtmp2src cannot play, souphttpsrc for HTTP-FLV.
 */
export function barePipeline(url: string, server: 'nginx' | 'nms'): string {
  const src = networkSource(url, server);
  // Queues limited in time only, as in the daemon's pipeline: with the default
  // limits the audio queue fills while video waits for its key frame (nginx-rtmp
  // has no GOP cache) and flvdemux never prerolls.
  const q = 'queue max-size-buffers=0 max-size-bytes=0 max-size-time=3000000000';
  return `${src} ! flvdemux name=demux demux.video ! ${q} ! h264parse ! avdec_h264 ! fakesink name=vsink sync=true demux.audio ! ${q} ! decodebin ! audioconvert ! audioresample ! fakesink sync=true async=false`;
}

function turns(): { rotate_left: string; rotate_right: string } {
  const g = chooseGeometry('fake', () => false);
  return { rotate_left: g.rotateLeft, rotate_right: g.rotateRight };
}

function command(kind: PlayerKind, url: string, o: LaunchOptions): { cmd: string; args: string[]; env: NodeJS.ProcessEnv; marker: RegExp; cleanup?: () => void } {
  switch (kind) {
    case 'liveplayerd': {
      const stateDir = mkdtempSync(path.join(os.tmpdir(), 'lp-bench-'));
      const args = [CLI, '--http', '127.0.0.1:0', '--dbus', 'off', '--video-sink', 'fake', '--audio-sink', 'fake', '--state-dir', stateDir, ...BENCH_DAEMON_ARGS, ...(o.args ?? [])];
      return {
        cmd: process.execPath,
        args,
        env: { ...process.env, ...SHIPPED_RUNTIME_ENV, ...(o.idle ? {} : { LIVEPLAYER_SRC: url, LIVEPLAYER_AUTOPLAY: '1' }), ...o.env },
        marker: /"code":2004\b/,
        cleanup: () => rmSync(stateDir, { recursive: true, force: true }),
      };
    }
    case 'gst-bare':
      return { cmd: 'stdbuf', args: ['-oL', 'gst-launch-1.0', '-m', ...barePipeline(url, o.server ?? 'nms').split(' ')], env: process.env, marker: /element "vsink" \(state-changed\).*old-state=\(GstState\)ready, new-state=\(GstState\)paused/ };
    case 'gst-launch':
      // One argument per word, as a shell would pass it: gst-launch escapes each argument as a whole.
      // stdbuf: gst-launch's g_print output to a pipe would otherwise sit in a stdio buffer.
      return { cmd: 'stdbuf', args: ['-oL', 'gst-launch-1.0', '-m', ...gstLaunchDescription(url).split(' ')], env: process.env, marker: /element "vsink" \(state-changed\).*old-state=\(GstState\)ready, new-state=\(GstState\)paused/ };
    case 'ffmpeg': {
      const vf = o.quiet ? [] : ['-vf', 'showinfo'];
      return { cmd: 'ffmpeg', args: ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-i', url, ...vf, '-f', 'null', '-'], env: process.env, marker: /Parsed_showinfo.*\bn: *0 / };
    }
    case 'mpv':
      return { cmd: 'mpv', args: ['--no-config', '--vo=null', '--ao=null', '--msg-level=all=warn,cplayer=v', url], env: process.env, marker: /first video frame after restart shown/ };
  }
}

/** Spawns a player on `url` and watches its output for the first-frame marker. */
export function launch(kind: PlayerKind, url: string, o: LaunchOptions = {}): Launched {
  const c = command(kind, url, o);
  const t0 = performance.now();
  const proc = spawn(c.cmd, c.args, { env: c.env, stdio: ['ignore', 'pipe', 'pipe'] });
  alive.add(proc);
  let tail = '';
  let onFrame: (t: number) => void = () => undefined;
  let onKey: (t: number) => void = () => undefined;
  let onFail: (e: Error) => void = () => undefined;
  const firstFrame = new Promise<number>((res, rej) => ((onFrame = res), (onFail = rej)));
  const keyFrame = kind === 'liveplayerd' ? new Promise<number>((res) => (onKey = res)) : undefined;
  firstFrame.catch(() => undefined); // a caller that stops early does not care
  const timer = setTimeout(() => onFail(new Error(`${kind}: no first frame in ${o.timeoutMs ?? 20000} ms\n${tail}`)), o.timeoutMs ?? 20000);
  const watch = (stream: NodeJS.ReadableStream) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      const now = performance.now();
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        tail = (tail + line + '\n').slice(-4000);
        if (c.marker.test(line)) (clearTimeout(timer), onFrame(now));
        if (kind === 'liveplayerd' && /"code":2003\b/.test(line)) onKey(now);
      }
    });
  };
  watch(proc.stdout!);
  watch(proc.stderr!);
  const exited = new Promise<void>((res) => proc.once('exit', () => (alive.delete(proc), res())));
  void exited.then(() => (clearTimeout(timer), onFail(new Error(`${kind} exited before its first frame\n${tail}`))));
  const stop = async () => {
    clearTimeout(timer);
    if (proc.exitCode === null && proc.signalCode === null) {
      // SIGINT: gst-launch, ffmpeg and mpv all end cleanly on it; the daemon too.
      proc.kill(kind === 'liveplayerd' ? 'SIGTERM' : 'SIGINT');
      const hard = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(hard);
    }
    c.cleanup?.();
  };
  return { kind, proc, t0, firstFrame, keyFrame, tail: () => tail, stop };
}

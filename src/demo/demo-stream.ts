// The embedded demo stream (`--demo`): a local node-media-server and a
// GStreamer test-pattern publisher (gst-launch-1.0: a picture with a running
// clock and a tone, H.264 + AAC in FLV over RTMP), so a newcomer
// sees the player work without a server of their own. Both are children of
// the daemon and die with it.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';

export interface DemoStream {
  /** The RTMP address the player is given. */
  url: string;
  /** The same stream over HTTP-FLV. */
  httpFlvUrl: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

// Waits as long as the server process lives: its start is what takes time
// (Node loading node-media-server took more than 15 s under qemu on a loaded
// machine), so a dead child ends the wait at once and the deadline only
// bounds a child that hangs.
async function waitForPort(port: number, ms: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`demo server exited (${child.exitCode ?? child.signalCode}) before opening port ${port}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`demo server did not open port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Publisher arguments for gst-launch-1.0: 640x360 at 25 fps, 1 s GOP, AAC
 * tone; light enough for a Pi to encode. Only GStreamer's own elements
 * (x264enc from plugins-ugly, avenc_aac from libav, flvmux, rtmp2sink from
 * plugins-bad), so the image needs no ffmpeg.
 */
export function publisherArgs(url: string): string[] {
  // gst-launch parses its arguments as a pipeline description: only the
  // demo's own loopback address may stand in it, never a value from outside.
  if (!/^rtmp:\/\/127\.0\.0\.1:\d{1,5}\/[a-z0-9]+\/[a-z0-9]+$/.test(url)) throw new Error(`refusing publisher address ${JSON.stringify(url)}`);
  // gst-launch-1.0 joins its arguments with spaces, escaping those inside one
  // argument, so a value with a space is one element of this list.
  const words = (text: string) => text.split(/\s+/).filter(Boolean);
  return [
    '-q',
    ...words('videotestsrc is-live=true pattern=smpte ! video/x-raw,width=640,height=360,framerate=25/1'),
    ...words('! timeoverlay halignment=center valignment=center'), 'font-desc=Sans 36',
    ...words('! videoconvert ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 bitrate=800'),
    ...words('! video/x-h264,profile=constrained-baseline ! h264parse ! queue ! mux.'),
    ...words('audiotestsrc is-live=true freq=440 volume=0.3 ! audio/x-raw,rate=44100,channels=2'),
    ...words('! audioconvert ! avenc_aac bitrate=64000 ! aacparse ! queue ! mux.'),
    ...words('flvmux name=mux streamable=true ! rtmp2sink'), `location=${url}`,
  ];
}

export async function startDemoStream(log: Logger): Promise<DemoStream> {
  const [rtmpPort, httpPort] = [await freePort(), await freePort()];
  const server: ChildProcess = fork(path.join(__dirname, 'nms-child.js'), [String(rtmpPort), String(httpPort)], { stdio: 'ignore' });
  try {
    await waitForPort(rtmpPort, 120_000, server);
  } catch (err) {
    server.kill('SIGKILL');
    throw err;
  }
  const url = `rtmp://127.0.0.1:${rtmpPort}/live/demo`;
  let publisher: ChildProcess | null = null;
  let stopped = false;
  // The publisher is restarted if it dies, so the demo keeps running for hours.
  const publish = () => {
    if (stopped) return;
    publisher = spawn('gst-launch-1.0', publisherArgs(url), { stdio: ['ignore', 'ignore', 'pipe'] });
    publisher.stderr?.on('data', (d: Buffer) => log.debug({ publisher: d.toString().trim() }, 'demo publisher'));
    publisher.once('exit', (code) => {
      if (!stopped) {
        log.warn({ code }, 'demo publisher ended; restarting');
        setTimeout(publish, 1000);
      }
    });
    publisher.once('error', (err) => log.error({ err }, 'demo publisher could not start (is gstreamer1.0-tools installed?)'));
  };
  publish();
  log.info({ url }, 'demo stream started');
  return {
    url,
    httpFlvUrl: `http://127.0.0.1:${httpPort}/live/demo.flv`,
    async stop() {
      stopped = true;
      publisher?.kill('SIGKILL');
      server.kill('SIGKILL');
    },
  };
}

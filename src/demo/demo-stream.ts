// The embedded demo stream (`--demo`): a local node-media-server and an
// ffmpeg test-pattern publisher (moving picture and a tone), so a newcomer
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

async function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
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

/** Publisher arguments: 640x360 at 25 fps, 1 s GOP, AAC tone; light enough for a Pi to encode. */
export function publisherArgs(url: string): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
    '-g', '25', '-keyint_min', '25', '-sc_threshold', '0', '-b:v', '800k', '-maxrate', '800k', '-bufsize', '800k',
    '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', url,
  ];
}

export async function startDemoStream(log: Logger): Promise<DemoStream> {
  const [rtmpPort, httpPort] = [await freePort(), await freePort()];
  const server: ChildProcess = fork(path.join(__dirname, 'nms-child.js'), [String(rtmpPort), String(httpPort)], { stdio: 'ignore' });
  await waitForPort(rtmpPort, 5000);
  const url = `rtmp://127.0.0.1:${rtmpPort}/live/demo`;
  let publisher: ChildProcess | null = null;
  let stopped = false;
  // The publisher is restarted if it dies, so the demo keeps running for hours.
  const publish = () => {
    if (stopped) return;
    publisher = spawn('ffmpeg', publisherArgs(url), { stdio: ['ignore', 'ignore', 'pipe'] });
    publisher.stderr?.on('data', (d: Buffer) => log.debug({ ffmpeg: d.toString().trim() }, 'demo publisher'));
    publisher.once('exit', (code) => {
      if (!stopped) {
        log.warn({ code }, 'demo publisher ended; restarting');
        setTimeout(publish, 1000);
      }
    });
    publisher.once('error', (err) => log.error({ err }, 'demo publisher could not start (is ffmpeg installed?)'));
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

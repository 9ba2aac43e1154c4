// Every failure card as the card process itself draws it (fake video sink,
// captured through the card's snap branch at /api/v1/tv/screen.png), one
// after another in one daemon: each must name its own cause, never the
// "Connecting" card that came just before it.
import t from 'tap';
import http from 'node:http';
import { startDaemon, type RunningDaemon } from '../../helpers/daemon';
import { closedPort, startCodecFlvServer, startGarbageServer, startHttpAnswer } from '../../helpers/tcp-servers';
import { makeFlv, SD } from '../../helpers/ffmpeg-files';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ocr } from '../../helpers/tv';
import { sleep } from '../../helpers/time';

function screen(d: RunningDaemon): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) =>
    http
      .get(`${d.base}/api/v1/tv/screen.png`, { headers: { authorization: `Bearer ${d.token()}` } }, (r) => {
        const c: Buffer[] = [];
        r.on('data', (x: Buffer) => c.push(x));
        r.on('end', () => resolve(r.statusCode === 200 ? Buffer.concat(c) : Buffer.alloc(0)));
      })
      .on('error', reject),
  );
}

// An H.264 + AAC recording whose video tags announce HEVC (FLV codec id 12), made once.
let flv: Buffer | null = null;
function recording(): Buffer {
  if (flv) return flv;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'liveplayerd-codec-'));
  flv = readFileSync(makeFlv(dir, { ...SD, seconds: 20 }));
  rmSync(dir, { recursive: true, force: true });
  return flv;
}

const CASES: { name: string; want: RegExp; code: RegExp; src: () => Promise<{ src: string; stop: () => Promise<void> }> }[] = [
  { name: 'host-not-found', want: /was not found/, code: /\(-2301\)/, src: async () => ({ src: 'rtmp://no-such-host.invalid/live/class1', stop: async () => {} }) },
  { name: 'refused', want: /refused the/, code: /\(-2301\)/, src: async () => ({ src: `rtmp://127.0.0.1:${await closedPort()}/live/class1`, stop: async () => {} }) },
  {
    name: 'not-a-stream-server',
    want: /not a live-stream server/,
    code: /\(-2301\)/,
    src: async () => {
      const s = await startGarbageServer({ close: true });
      return { src: `rtmp://127.0.0.1:${s.port}/live/class1`, stop: () => s.stop() };
    },
  },
  {
    name: 'no-such-stream',
    want: /does not exist/,
    code: /\(-2302\)/,
    src: async () => {
      const s = await startHttpAnswer(404, 'no such stream');
      return { src: `http://127.0.0.1:${s.port}/live/class1.flv`, stop: () => s.stop() };
    },
  },
  {
    name: 'unsupported-codec',
    want: /video codec \(HEVC\)/,
    code: /Cannot play/,
    src: async () => {
      const s = await startCodecFlvServer(recording(), 12);
      return { src: `http://127.0.0.1:${s.port}/live/class1.flv`, stop: () => s.stop() };
    },
  },
];

t.test('each failure card in turn names its own cause (fake sink, the card process captured)', async (t) => {
  const d = await startDaemon({ args: ['--rejoin', 'off', '--reconnect-attempts', '0', '--language', 'en'] });
  t.teardown(() => d.stop());
  const sub = await d.subscribe();
  t.teardown(() => sub.close());
  // In turn: every card but the first follows another failure (and a stop).
  for (const f of CASES) {
    const { src, stop } = await f.src();
    const from = sub.events.length;
    await d.api('PATCH', '/api/v1/player', { src });
    await d.api('POST', '/api/v1/player/play');
    await sub.waitFor((e) => e.event === 'state' && e.data.state === 'error' && sub.events.indexOf(e) >= from, 15000, 'error');
    let text = '';
    for (let i = 0; i < 10 && !f.want.test(text); i++) {
      await sleep(300);
      const png = await screen(d);
      text = png.length ? await ocr(png, 'eng') : '';
    }
    t.match(text, f.want, `${f.name}: the card names the cause (read: ${text.replace(/\s+/g, ' ')})`);
    t.match(text, f.code, `${f.name}: and the code`);
    t.notMatch(text, /Connecting to/, `${f.name}: not the card before it`);
    await d.api('POST', '/api/v1/player/stop');
    await stop();
  }
});

// Where no card window can go over a media session's screen (KMS, the fake
// sink), the TV's words go on that screen itself while the stream has no
// frame to show: connecting, a drop, a pause. Here on the fake sink, read
// from `view` snapshots (what the sink shows) with OCR, as a person would
// read the TV: the words in each state, the picture under them (dimmed for
// a drop), and the stream's own picture again afterwards.
import t from 'tap';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { RunningDaemon } from '../../helpers/daemon';
import { startDaemon } from '../../helpers/daemon';
import { rgb } from '../../helpers/pixels';
import { publishedStream, startNginxRtmp, startPublisher } from '../../helpers/media-servers';
import { startFaultProxy } from '../../helpers/fault-proxy';
import { keepShot, ocr } from '../../helpers/tv';
import { sleep } from '../../helpers/time';
import { PNG } from 'pngjs';

interface View {
  png: Buffer;
  width: number;
  height: number;
  data: Buffer;
}

async function view(d: RunningDaemon): Promise<View | null> {
  const r = await d.api('POST', '/api/v1/player/snapshot', { quality: 'raw', sourceType: 'view' });
  if (r.status !== 200) return null;
  const png = readFileSync(path.join(d.stateDir, 'snapshots', path.basename(r.body.tempImagePath as string)));
  const img = PNG.sync.read(png);
  return { png, width: img.width, height: img.height, data: img.data };
}

/** Reads `view` snapshots until OCR finds `re` (or `ms` pass); the text, the snapshot and when it was asked for. */
async function readView(d: RunningDaemon, re: RegExp, ms = 15000, topLeft?: { width: number; height: number }): Promise<{ text: string; shot: View | null; after: number }> {
  const t0 = Date.now();
  let text = '';
  let shot: View | null = null;
  while (Date.now() - t0 < ms) {
    const asked = Date.now() - t0;
    shot = await view(d);
    if (shot) {
      text = await ocr(shot.png, 'eng', 'png', topLeft);
      if (re.test(text)) return { text, shot, after: asked };
    }
  }
  return { text, shot, after: -1 };
}

/** Mean luma of the colour bars right of the middle, below the band and the mark (the picture, away from the words). */
function pictureLuma(v: View): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.floor(v.height * 0.35); y < Math.floor(v.height * 0.6); y += 4) {
    for (let x = Math.floor(v.width * 0.5); x < v.width; x += 4) {
      const [r, g, b] = rgb({ width: v.width, height: v.height, data: v.data }, x, y);
      sum += 0.299 * r + 0.587 * g + 0.114 * b;
      n++;
    }
  }
  return sum / n;
}

/** The daemon's figures: per card handed to the media worker, its state, the ms to draw it and the ms since the state changed. */
function handed(d: RunningDaemon): string {
  return d
    .logs()
    .map((l) => /"state":"(\w+)","ms":(\d+),"sinceState":(\d+)[^\n]*the card is on the stream's screen/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} ${m[3]} ms after the state (drawn in ${m[2]} ms)`)
    .join('; ');
}

t.test('pause and a drop: the words on the stream\'s own screen, over its last picture', async (t) => {
  const stream = await publishedStream(t, { server: 'nginx', name: 'words', pub: { pattern: 'smptebars', width: 640, height: 360 } });
  // The drop is the network's: a proxy between the daemon and the server cuts it.
  const proxy = await startFaultProxy({ targetPort: Number(new URL(stream.url).port) });
  t.teardown(() => proxy.stop());
  const d = await startDaemon({ args: ['--language', 'en', '--reconnect-attempts', '8', '--reconnect-interval', '1'] });
  t.teardown(() => d.stop());
  const sub = await d.subscribe();
  await d.api('PATCH', '/api/v1/player', { src: proxy.via(stream.url) });
  await d.api('POST', '/api/v1/player/play');
  await sub.waitForCode(2004, 20000);
  const playing = await view(d);
  t.ok(playing, 'a view while playing');
  const lit = pictureLuma(playing!);

  t.equal((await d.api('POST', '/api/v1/player/pause')).status, 200);
  const paused = await readView(d, /Paused/, 15000, { width: 0.4, height: 0.25 });
  t.match(paused.text, /Paused/, `paused: the mark on the screen (read from a snapshot asked ${paused.after} ms after the pause: ${paused.text})`);
  const pausedLuma = pictureLuma(paused.shot!);
  t.ok(pausedLuma > lit * 0.8, `the picture stays under the mark (mean luma ${pausedLuma.toFixed(0)} against ${lit.toFixed(0)} playing)`);
  keepShot(paused.shot!.png, 'view-paused-en.png');

  t.equal((await d.api('POST', '/api/v1/player/resume')).status, 200);
  await sub.waitFor((e) => e.event === 'state' && e.data.state === 'playing', 10000, 'playing');
  const back = await readView(d, /^(?![\s\S]*Paused)/, 10000, { width: 0.4, height: 0.25 });
  t.notMatch(back.text, /Paused/, `after resume the mark is gone (${back.text || 'no words'})`);

  // The connection drops and the next tries are refused: reconnecting over the last picture, dimmed.
  proxy.refuseNew(true);
  proxy.cut();
  await sub.waitFor((e) => e.event === 'state' && e.data.state === 'reconnecting', 15000, 'reconnecting');
  const drop = await readView(d, /Connection lost|reconnecting/i, 15000, { width: 1, height: 0.3 });
  t.match(drop.text, /Connection lost|reconnecting/i, `reconnecting: the words (asked ${drop.after} ms after the state: ${drop.text})`);
  const dimmed = pictureLuma(drop.shot!);
  t.ok(dimmed < lit * 0.6 && dimmed > 3, `over the last picture, dimmed (mean luma ${dimmed.toFixed(0)} against ${lit.toFixed(0)} playing)`);
  keepShot(drop.shot!.png, 'view-reconnecting-en.png');

  // The network comes back: the stream's picture again, no words.
  const from = sub.events.length;
  proxy.refuseNew(false);
  await sub.waitForCode(2004, 30000, from);
  const after = await view(d);
  t.ok(after && pictureLuma(after) > lit * 0.8, `playing again: the picture at full brightness (mean luma ${after ? pictureLuma(after).toFixed(0) : '-'})`);
  t.notMatch(await ocr(after!.png, 'eng', 'png', { width: 1, height: 0.3 }), /Connection lost|reconnecting/i, 'and no words');
  t.comment(`words handed to the media worker: ${handed(d)}`);
});

t.test('connecting: the stream\'s name on its own screen before any picture', async (t) => {
  const nginx = await startNginxRtmp();
  t.teardown(() => nginx.stop());
  const d = await startDaemon({ args: ['--language', 'en', '--stall-timeout', '6'] });
  t.teardown(() => d.stop());
  const sub = await d.subscribe();
  // A TV that has been on for a while: its spare card process is warm (a
  // daemon started a second before drew the first card with a cold one).
  await sleep(3000);
  // Not published yet: nginx-rtmp holds the play request open (2001, 2002, then nothing).
  await d.api('PATCH', '/api/v1/player', { src: nginx.rtmpUrl('later') });
  await d.api('POST', '/api/v1/player/play');
  await sub.waitFor((e) => e.event === 'state' && e.data.state === 'connecting', 5000, 'connecting');
  const connecting = await readView(d, /Connecting|Waiting/, 15000);
  t.match(connecting.text, /Connecting to later/, `connecting: the stream is named on the screen (asked ${connecting.after} ms after connecting: ${connecting.text})`);
  keepShot(connecting.shot!.png, 'view-connecting-en.png');
  const notStarted = await readView(d, /to start/, 20000);
  t.match(notStarted.text, /waiting for later to start/i, `after --stall-timeout: it has not started (${notStarted.text})`);

  const pub = await startPublisher(nginx.rtmpUrl('later'), { pattern: 'smptebars', width: 640, height: 360 });
  t.teardown(() => pub.stop());
  await sub.waitForCode(2004, 30000);
  // The sink played the words, so it prerolls no frame of the stream: the
  // first picture must still come as it is decoded, not a pipeline latency
  // (minCache, 1 s) later with the words still on the screen.
  // The key frame is the last 2003 before the first 2004 (a connection can drop before it: CI once saw a reconnect here).
  // The event stream can be ahead of the daemon's log on its pipe.
  for (const end = Date.now() + 3000; Date.now() < end && !d.logs().some((l) => /"code":2004\b/.test(l)); ) await sleep(50);
  t.comment(`codes: ${d.logs().filter((l) => /"code":/.test(l)).map((l) => { const j = JSON.parse(l); return `${j.code} ${j.detail ?? ''}`; }).join('; ')}`);
  const codes = d.logs().map((l) => JSON.parse(l) as { time: number; code?: number }).filter((j) => j.code !== undefined);
  const first = codes.findIndex((j) => j.code === 2004);
  const key = codes.slice(0, first).reverse().find((j) => j.code === 2003);
  t.ok(first >= 0 && key, `a key frame (2003) before the first picture (codes: ${codes.map((j) => j.code).join(' ')})`);
  if (first >= 0 && key) {
    const ownMs = codes[first]!.time - key.time;
    t.ok(ownMs < 600, `the first picture ${ownMs} ms after the key frame came in (2003 → 2004)`);
  }
  const playing = await view(d);
  t.ok(playing, 'a view once playing');
  t.notMatch(await ocr(playing!.png, 'eng'), /Connecting|waiting for/i, 'the stream\'s picture, no words');
  t.ok(pictureLuma(playing!) > 40, `the picture is on (mean luma ${pictureLuma(playing!).toFixed(0)})`);
  t.comment(`words handed to the media worker: ${handed(d)}`);
});

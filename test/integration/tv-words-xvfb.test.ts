// The TV read as a person reads it: the daemon plays into ximagesink on a
// private Xvfb screen; in each state the root window is captured with
// ImageMagick's `import` 500 ms after the state change and read by
// tesseract (English and Simplified Chinese). Each step asserts the words a
// class must see, and while a picture plays, that it fills the screen.
// Screenshots go to artifacts/screenshots (docs/screenshots holds a copy).
import t, { type Test } from 'tap';
import { performance } from 'node:perf_hooks';
import jsQR from 'jsqr';
import { startDaemon, type RunningDaemon, type Subscription } from '../helpers/daemon';
import { startNginxRtmp, startPublisher, type Managed, type NginxRtmp } from '../helpers/media-servers';
import { closedPort, startGarbageServer, startHttpAnswer } from '../helpers/tcp-servers';
import { keepShot, litShare, ocr, ocrWords, screenshot, startXvfb, type Shot, type Xvfb } from '../helpers/tv';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PUB = { width: 640, height: 360, fps: 25, bitrateKbps: 600, gopSeconds: 1, audio: true };
/** The words must be on the TV this long after the state change. */
const WORDS_WITHIN_MS = 500;

type Lang = 'en' | 'zh';
const tess = (l: Lang) => (l === 'en' ? 'eng' : 'chi_sim');

function qrIn(s: Shot): string | null {
  const code = jsQR(new Uint8ClampedArray(s.data.buffer, s.data.byteOffset, s.data.length), s.width, s.height);
  return code?.data ?? null;
}

interface Rig {
  x: Xvfb;
  d: RunningDaemon;
  sub: Subscription;
  lang: Lang;
}

/** Waits for `state`, then reads the screen WORDS_WITHIN_MS after it was announced. */
async function shotAfter(r: Rig, state: string, from: number, name: string, timeoutMs = 20000): Promise<{ shot: Shot; text: string }> {
  const e = await r.sub.waitFor((e) => e.event === 'state' && e.data.state === state && r.sub.events.indexOf(e) >= from, timeoutMs, state);
  const wait = e.at + WORDS_WITHIN_MS - performance.now();
  if (wait > 0) await sleep(wait);
  const shot = await screenshot(r.x.display);
  keepShot(shot.png, `tv-${name}-${r.lang}.png`);
  return { shot, text: await ocr(shot.png, tess(r.lang)) };
}

async function rig(t: Test, lang: Lang, extra: string[] = [], size: [number, number] = [1920, 1080]): Promise<Rig> {
  const x = await startXvfb(size[0], size[1]);
  t.teardown(() => x.stop());
  const d = await startDaemon({
    args: ['--video-sink', 'x', '--language', lang, '--name', 'Room 3B', '--stall-timeout', '2', '--reconnect-attempts', '2', '--reconnect-interval', '1', ...extra],
    env: { DISPLAY: x.display },
  });
  t.teardown(() => d.stop());
  const sub = await d.subscribe();
  t.teardown(() => sub.close());
  return { x, d, sub, lang };
}

const WORDS = {
  idle: { en: /Ready/, zh: /准备就绪/ },
  connecting: { en: /Connecting to class1/, zh: /正在连接/ },
  // tesseract reads "class1" as "classi" or "class1l" at times: the words around it are what matters.
  notStarted: { en: /waiting for class\S* to\b/i, zh: /已连接/ },
  paused: { en: /Paused/, zh: /已暂停/ },
  reconnecting: { en: /Connection lost/, zh: /连接中断/ },
  waitingLost: { en: /Waiting for class\S* to come back/, zh: /恢复直播/ },
  waitingEnded: { en: /stream ended at \d\d:\d\d/, zh: /直播于.{0,3}\d\d:\d\d.{0,3}结束/ },
  corner: { en: /Scan to add a phone/, zh: /添加手机/ },
};

for (const lang of ['en', 'zh'] as const) {
  t.test(`the TV tells the truth, in ${lang}`, async (t) => {
    const r = await rig(t, lang);
    let nginx: NginxRtmp = await startNginxRtmp();
    t.teardown(() => nginx.stop());
    const port = nginx.port;
    const url = nginx.rtmpUrl('class1');

    // Idle: the card fills the screen, says it is ready, and its QR code pairs.
    const idle = await (async () => {
      for (let i = 0; i < 40; i++) {
        const s = await screenshot(r.x.display);
        if (qrIn(s)) return s;
        await sleep(250);
      }
      return screenshot(r.x.display);
    })();
    keepShot(idle.png, `tv-idle-${lang}.png`);
    // The QR code's dark modules are the only black on the card.
    t.ok(litShare(idle) > 0.9, `the idle card fills the 1920x1080 screen (${(litShare(idle) * 100).toFixed(1)} % lit)`);
    t.equal(qrIn(idle), (await r.d.api('GET', '/api/v1/pairing')).body.url, 'its QR code is the pairing address');
    t.match(await ocr(idle.png, tess(lang)), WORDS.idle[lang], 'it says the TV is ready');
    t.match(await ocr(idle.png, 'eng'), /Room 3B/, 'with the name');
    if (lang === 'en') {
      // The status words are at least 4 % of the screen's height (read from tesseract's boxes).
      const words = await ocrWords(idle.png, 'eng');
      const ready = words.find((w) => /^Ready/.test(w.text));
      t.ok(ready && ready.height >= 0.04 * idle.height, `"Ready" is ${ready?.height} px high on a ${idle.height} px screen`);
    }

    // Connecting to a stream that is not published yet, then "not started" after the stall timeout.
    let from = r.sub.events.length;
    await r.d.api('PATCH', '/api/v1/player', { src: url });
    await r.d.api('POST', '/api/v1/player/play');
    const connecting = await shotAfter(r, 'connecting', from, 'connecting');
    t.match(connecting.text, WORDS.connecting[lang], `connecting: the stream is named (read: ${connecting.text})`);
    await sleep(2600);
    const notStarted = await screenshot(r.x.display);
    keepShot(notStarted.png, `tv-not-started-${lang}.png`);
    const notStartedText = await ocr(notStarted.png, tess(lang));
    t.match(notStartedText, WORDS.notStarted[lang], `connected, the stream has not started (read: ${notStartedText})`);

    // The publisher starts: the picture fills the screen.
    from = r.sub.events.length;
    let pub: Managed = await startPublisher(url, PUB);
    t.teardown(() => pub.stop());
    await r.sub.waitFor((e) => e.event === 'state' && e.data.state === 'playing' && r.sub.events.indexOf(e) >= from, 20000, 'playing');
    await sleep(1000);
    const playing = await screenshot(r.x.display);
    keepShot(playing.png, `tv-playing-${lang}.png`);
    t.ok(litShare(playing) > 0.9, `playing: the picture fills the screen (${(litShare(playing) * 100).toFixed(1)} % lit)`);
    t.equal((await r.d.api('GET', '/api/v1/player')).body.fullScreen.fullScreen, true, 'full screen by default');

    // Pairing during the lesson: a corner card, the picture goes on.
    t.equal((await r.d.api('POST', '/api/v1/pairing/show')).status, 200);
    await sleep(WORDS_WITHIN_MS);
    const corner = await screenshot(r.x.display);
    keepShot(corner.png, `tv-pairing-corner-${lang}.png`);
    const cornerText = await ocr(corner.png, tess(lang));
    t.match(cornerText, WORDS.corner[lang], `the corner says how to add a phone (read: ${cornerText})`);
    t.equal(qrIn(corner), (await r.d.api('GET', '/api/v1/pairing')).body.url, 'with the current pairing code');
    t.ok(litShare(corner) > 0.9, 'and the picture still fills the rest');
    t.equal((await r.d.api('GET', '/api/v1/player')).body.state, 'playing', 'still playing');

    // Paused: a mark, the picture stays.
    from = r.sub.events.length;
    await r.d.api('POST', '/api/v1/player/pause');
    const paused = await shotAfter(r, 'paused', from, 'paused');
    t.match(paused.text, WORDS.paused[lang], `paused: the mark (read: ${paused.text})`);
    t.ok(litShare(paused.shot) > 0.8, `and the picture stays (${(litShare(paused.shot) * 100).toFixed(1)} % lit)`);
    from = r.sub.events.length;
    await r.d.api('POST', '/api/v1/player/resume');
    await r.sub.waitFor((e) => e.event === 'state' && e.data.state === 'playing' && r.sub.events.indexOf(e) >= from, 10000, 'playing');

    // The server dies: reconnecting over the dimmed last frame, then waiting.
    from = r.sub.events.length;
    // The server first: a publisher that stops before it is an ended stream (2006), not a lost connection.
    await nginx.managed.stop('SIGKILL');
    await pub.stop('SIGKILL');
    const reconnecting = await shotAfter(r, 'reconnecting', from, 'reconnecting');
    t.match(reconnecting.text, WORDS.reconnecting[lang], `reconnecting: the words say so (read: ${reconnecting.text})`);
    t.ok(litShare(reconnecting.shot) > 0.5, `over the last frame (${(litShare(reconnecting.shot) * 100).toFixed(1)} % lit)`);
    const waiting = await shotAfter(r, 'waiting', from, 'waiting-lost', 30000);
    t.match(waiting.text, WORDS.waitingLost[lang], `waiting for the lesson to come back (read: ${waiting.text})`);
    t.match(waiting.text, /-2301/, 'with what happened');

    // The server and the publisher come back: playing again; then the publisher stops: 2006 and waiting.
    nginx = await startNginxRtmp({ port });
    from = r.sub.events.length;
    pub = await startPublisher(url, PUB);
    await r.sub.waitFor((e) => e.event === 'state' && e.data.state === 'playing' && r.sub.events.indexOf(e) >= from, 40000, 'playing again');
    await sleep(1500);
    from = r.sub.events.length;
    await pub.stop('SIGINT');
    const ended = await shotAfter(r, 'waiting', from, 'waiting-ended');
    t.match(ended.text, WORDS.waitingEnded[lang], `the stream ended, and when (read: ${ended.text})`);
  });
}

const FAILURES: { name: string; cause: { en: RegExp; zh: RegExp }; src: () => Promise<{ src: string; stop: () => Promise<void> }> }[] = [
  {
    name: 'host-not-found',
    cause: { en: /was not found/, zh: /找不到直播服务器/ },
    src: async () => ({ src: 'rtmp://no-such-host.invalid/live/class1', stop: async () => {} }),
  },
  {
    name: 'refused',
    cause: { en: /refused the/, zh: /拒绝连接/ },
    src: async () => ({ src: `rtmp://127.0.0.1:${await closedPort()}/live/class1`, stop: async () => {} }),
  },
  {
    name: 'not-a-stream-server',
    cause: { en: /not a live-stream server/, zh: /不是直播服务器/ },
    src: async () => {
      const s = await startGarbageServer({ close: true });
      return { src: `rtmp://127.0.0.1:${s.port}/live/class1`, stop: () => s.stop() };
    },
  },
  {
    name: 'no-such-stream',
    cause: { en: /does not exist/, zh: /没有直播流/ },
    src: async () => {
      const s = await startHttpAnswer(404, 'no such stream');
      return { src: `http://127.0.0.1:${s.port}/live/class1.flv`, stop: () => s.stop() };
    },
  },
];

t.test('failures in words a teacher can act on', async (t) => {
  for (const lang of ['en', 'zh'] as const) {
    const r = await rig(t, lang, ['--rejoin', 'off', '--reconnect-attempts', '0']);
    for (const f of FAILURES) {
      const { src, stop } = await f.src();
      const from = r.sub.events.length;
      await r.d.api('PATCH', '/api/v1/player', { src });
      await r.d.api('POST', '/api/v1/player/play');
      const { text } = await shotAfter(r, 'error', from, `failed-${f.name}`);
      t.match(text, f.cause[lang], `${lang} ${f.name}: ${f.cause[lang]} (read: ${text})`);
      await r.d.api('POST', '/api/v1/player/stop');
      await stop();
    }
  }
});

t.test('the idle card fills 720p and 4K screens at their own resolution', async (t) => {
  for (const size of [[1280, 720], [3840, 2160]] as [number, number][]) {
    const r = await rig(t, 'en', [], size);
    let shot: Shot | null = null;
    for (let i = 0; i < 40 && !(shot && qrIn(shot)); i++) {
      await sleep(250);
      shot = await screenshot(r.x.display);
    }
    keepShot(shot!.png, `tv-idle-${size[0]}x${size[1]}.png`);
    t.same([shot!.width, shot!.height], size, `a ${size.join('x')} screen`);
    t.ok(litShare(shot!) > 0.9, `filled (${(litShare(shot!) * 100).toFixed(1)} % lit)`);
    t.ok(qrIn(shot!), 'the QR code reads');
  }
});

// The TV read as a person reads it: the daemon plays into ximagesink on a
// private Xvfb screen; in each state the root window is captured with
// ImageMagick's `import` 500 ms after the state change and read by
// tesseract (English and Simplified Chinese). Each step asserts the words a
// class must see, and while a picture plays, that it fills the screen.
// Screenshots go to artifacts/screenshots (docs/screenshots holds a copy).
import t, { type Test } from 'tap';
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { startDaemon, type RunningDaemon, type Subscription } from '../../helpers/daemon';
import { startNginxRtmp, startPublisher, type Managed, type NginxRtmp } from '../../helpers/media-servers';
import { closedPort, startCodecFlvServer, startGarbageServer, startHttpAnswer } from '../../helpers/tcp-servers';
import { makeFlv, SD } from '../../helpers/ffmpeg-files';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { burst, keepShot, litShare, meanLuma, ocr, ocrStatus, ocrWords, qrIn, screenshot, type Shot, shotFromXwd, startXvfb, type Xvfb, xwdPixels } from '../../helpers/tv';
import { sleep } from '../../helpers/time';

const PUB = { width: 640, height: 360, fps: 25, bitrateKbps: 600, gopSeconds: 1, audio: true };
/** How long the test looks for the words after a state change (the target is 500 ms; the figure is printed). */
const WORDS_DEADLINE_MS = 10000;
/** How long the screen is grabbed right after a state change to time the words. */
const BURST_MS = 2500;
const latencies: string[] = [];
t.teardown(() => console.log(`# state change -> words on the TV (screenshot that showed them):\n#   ${latencies.join('\n#   ')}`));

type Lang = 'en' | 'zh';
const tess = (l: Lang) => (l === 'en' ? 'eng' : 'chi_sim');


interface Rig {
  x: Xvfb;
  d: RunningDaemon;
  sub: Subscription;
  lang: Lang;
}

/**
 * Waits for `state`, then reads the screen until `re` is on it. Returns the
 * text and how long after the state change the screenshot that showed the
 * words was taken (an upper bound: reading takes about a second a shot).
 */
interface Region {
  /** Share of the width and height from the top left that the card covers. */
  width: number;
  height: number;
}

/** Whether two xwd grabs have the same pixels, in the whole screen or in a region at the top left. */
function samePixels(a: Buffer, b: Buffer, region?: Region): boolean {
  const pa = xwdPixels(a);
  const pb = xwdPixels(b);
  if (!region) return pa.equals(pb);
  const width = a.readUInt32BE(16);
  const height = a.readUInt32BE(20);
  const line = a.readUInt32BE(48);
  const bytes = Math.floor(width * region.width) * 4;
  for (let y = 0; y < Math.floor(height * region.height); y++) {
    if (!pa.subarray(y * line, y * line + bytes).equals(pb.subarray(y * line, y * line + bytes))) return false;
  }
  return true;
}

/**
 * Times and reads the words that should appear after `since` (a state
 * change, an action). The screen is grabbed as fast as the X server allows
 * for `burstMs`; if the last grab has the words, they appeared with the first
 * grab of the run of identical grabs that ends the burst (a card is still
 * once drawn, and so is the frozen or paused picture under a band or mark;
 * over a playing picture only the card's `region` is compared), or, when
 * that run starts late, with the first grab OCR reads them on. Otherwise
 * screenshots are read one by one until the words are there.
 */
async function wordsSince(r: Rig, since: number, name: string, re: RegExp, burstMs = BURST_MS, region?: Region, stay?: { gaps: number[] }): Promise<{ shot: Shot; text: string; ms: number; at: number }> {
  // The whole screen first; the status lines alone when that does not read the words.
  const read = async (img: Buffer, format: 'png' | 'xwd'): Promise<string> => {
    const all = await ocr(img, tess(r.lang), format);
    if (re.test(all)) return all;
    const status = await ocrStatus(img, tess(r.lang), format);
    return re.test(status) ? status : all;
  };
  const shots = await burst(r.x.display, burstMs);
  if (stay) {
    // Every grab read: once the words are on the screen, a grab without them is a gap (ms after the change).
    let seen = false;
    for (const s of shots) {
      const has = re.test(await read(s.xwd, 'xwd'));
      if (seen && !has) stay.gaps.push(Math.round(s.at - since));
      seen ||= has;
    }
  }
  let last = { shot: null as Shot | null, text: '', ms: 0 };
  let ms: number | null = null;
  const n = shots.length - 1;
  const lastText = n >= 0 ? await read(shots[n]!.xwd, 'xwd') : '';
  if (re.test(lastText)) {
    let first = n;
    while (first > 0 && samePixels(shots[first - 1]!.xwd, shots[n]!.xwd, region)) first--;
    // Something else may have changed after the words came (a new window of
    // the stream under a band): then the first grab that reads them, found by
    // bisection (words that came stay), is the time.
    if (shots[first]!.at - since > 500) {
      let lo = 0;
      let hi = first;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (re.test(await read(shots[mid]!.xwd, 'xwd'))) hi = mid;
        else lo = mid + 1;
      }
      first = lo;
    }
    ms = Math.max(0, Math.round(shots[first]!.at - since));
    last = { shot: await shotFromXwd(shots[n]!.xwd), text: lastText, ms };
  } else {
    const end = performance.now() + WORDS_DEADLINE_MS;
    while (performance.now() < end) {
      const taken = performance.now();
      const shot = await screenshot(r.x.display);
      const text = await read(shot.png, 'png');
      last = { shot, text, ms: Math.round(taken - since) };
      if (re.test(text)) break;
    }
  }
  keepShot(last.shot!.png, `tv-${name}-${r.lang}.png`);
  const late = shots.length ? Math.round(shots[0]!.at - since) : 0;
  latencies.push(
    `${name} ${r.lang}: ${!re.test(last.text) ? 'not read' : ms !== null ? `${ms} ms (${shots.length} grabs in ${burstMs} ms${late > 300 ? `, the first ${late} ms after the change: an upper bound` : ''})` : `more than ${burstMs} ms (${last.ms} ms)`}`,
  );
  // What the daemon did meanwhile, for a reader of a failed or slow run.
  if (!re.test(last.text)) {
    const tree = spawnSync('xwininfo', ['-root', '-tree', '-display', r.x.display], { encoding: 'utf8' }).stdout;
    const kids = spawnSync('pgrep', ['-a', '-P', String(r.d.proc.pid)], { encoding: 'utf8' }).stdout;
    console.error(`${name} ${r.lang} not read; windows:\n${tree}\nthe daemon's processes:\n${kids}`);
    if (process.env.TV_GDB) {
      for (const line of kids.split('\n').filter((l) => l.includes('idle-worker'))) {
        const bt = spawnSync('gdb', ['-p', line.split(' ')[0]!, '-batch', '-ex', 'thread apply all bt 12'], { encoding: 'utf8' }).stdout;
        console.error(`backtraces of ${line}:\n${bt.split('\n').filter((l) => /^#|^Thread/.test(l)).join('\n')}`);
      }
    }
  }
  if (!re.test(last.text) || ms === null || ms > 500) console.error(`${name} ${r.lang}:\n${r.d.logs().filter((l) => /"module":"(tv|player)"/.test(l) && !/"code":2005/.test(l)).slice(-12).join('\n')}`);
  return { ...(last as { shot: Shot; text: string; ms: number }), at: since };
}

/** wordsSince the state change to `state` (the first at or after event `from`). */
async function wordsAfter(r: Rig, state: string, from: number, name: string, re: RegExp, timeoutMs = 20000, burstMs = BURST_MS, stay?: { gaps: number[] }): Promise<{ shot: Shot; text: string; ms: number; at: number }> {
  const e = await r.sub.waitFor((e) => e.event === 'state' && e.data.state === state && r.sub.events.indexOf(e) >= from, timeoutMs, state);
  return wordsSince(r, e.at, name, re, burstMs, undefined, stay);
}

async function rig(t: Test, lang: Lang, extra: string[] = [], size: [number, number] = [1920, 1080]): Promise<Rig> {
  const x = await startXvfb(size[0], size[1]);
  t.teardown(() => x.stop());
  const d = await startDaemon({
    args: ['--video-sink', 'x', '--language', lang, '--name', 'Room 3B', '--stall-timeout', '2', '--reconnect-attempts', '2', '--reconnect-interval', '3', '--log-level', 'debug', ...extra],
    env: { DISPLAY: x.display },
  });
  t.teardown(() => d.stop());
  const sub = await d.subscribe();
  t.teardown(() => sub.close());
  return { x, d, sub, lang };
}

const WORDS = {
  idle: { en: /Ready/, zh: /准备就绪/ },
  // With a 2 s stall timeout an unpublished stream soon reconnects: both say what happens.
  connecting: { en: /Connecting to class|waiting for class\S* to\b/i, zh: /正在连接|开始直播/ },
  // tesseract reads "class1" as "classi" or "class1l" at times: the words around it are what matters.
  notStarted: { en: /waiting for class\S* to\b/i, zh: /已连接|开始直播/ },
  paused: { en: /Paused/, zh: /已暂停/ },
  reconnecting: { en: /Connection lost/, zh: /连接中断/ },
  waitingLost: { en: /Waiting for class\S* to come back/, zh: /恢复直播/ },
  waitingEnded: { en: /stream ended at \d\d:\d\d/, zh: /直播于.{0,3}\d\d:\d\d.{0,3}结束/ },
  corner: { en: /Scan to add/, zh: /扫码添加/ },
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
    // Grabbed for less than the stall timeout, so that the timing is of the first words.
    const connecting = await wordsAfter(r, 'connecting', from, 'connecting', WORDS.connecting[lang], 20000, 1500);
    t.match(connecting.text, WORDS.connecting[lang], `connecting: the stream is named (read: ${connecting.text})`);
    await sleep(Math.max(0, 2600 - (performance.now() - connecting.at)));
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
    const asked = performance.now();
    t.equal((await r.d.api('POST', '/api/v1/pairing/show')).status, 200);
    const shown = await wordsSince(r, asked, 'pairing-corner', WORDS.corner[lang], BURST_MS, { width: 0.45, height: 0.42 });
    const corner = shown.shot;
    const cornerText = shown.text;
    t.match(cornerText, WORDS.corner[lang], `the corner says how to add a phone (read: ${cornerText})`);
    t.equal(qrIn(corner), (await r.d.api('GET', '/api/v1/pairing')).body.url, 'with the current pairing code');
    t.ok(litShare(corner) > 0.9, 'and the picture still fills the rest');
    t.equal((await r.d.api('GET', '/api/v1/player')).body.state, 'playing', 'still playing');

    // Paused: a mark, the picture stays.
    from = r.sub.events.length;
    await r.d.api('POST', '/api/v1/player/pause');
    const paused = await wordsAfter(r, 'paused', from, 'paused', WORDS.paused[lang]);
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
    // Grabbed for less than the reconnect interval, so that the timing is of the first words.
    const stay = { gaps: [] as number[] };
    const reconnecting = await wordsAfter(r, 'reconnecting', from, 'reconnecting', WORDS.reconnecting[lang], 20000, 1500, stay);
    t.match(reconnecting.text, WORDS.reconnecting[lang], `reconnecting: the words say so (read: ${reconnecting.text})`);
    // The band comes first, then the dimmed picture under it, each a window of its own.
    t.same(stay.gaps, [], 'once there, the words stay while the band gives way to the dimmed picture (grabs without them, ms after the change)');
    t.ok(litShare(reconnecting.shot) > 0.5, `over the last frame (${(litShare(reconnecting.shot) * 100).toFixed(1)} % lit)`);
    // The band comes at once; the dimmed copy of the last picture follows, below it.
    const bright = meanLuma(playing, 0.2);
    let dimmed = reconnecting.shot;
    for (const end = performance.now() + 3000; meanLuma(dimmed, 0.2) >= 0.6 * bright && performance.now() < end; ) dimmed = await screenshot(r.x.display);
    const ratio = meanLuma(dimmed, 0.2) / bright;
    t.ok(ratio > 0.1 && ratio < 0.6, `the last frame is dimmed under the band (${(ratio * 100).toFixed(0)} % of the playing picture's brightness, mean luma ${bright.toFixed(0)})`);
    t.ok(litShare(dimmed) > 0.5, `dimmed, not black (${(litShare(dimmed) * 100).toFixed(1)} % lit)`);
    const dimmedText = await ocr(dimmed.png, tess(lang));
    t.match(dimmedText, WORDS.reconnecting[lang], `the words stay over it (read: ${dimmedText})`);
    keepShot(dimmed.png, `tv-reconnecting-${lang}.png`);
    const waiting = await wordsAfter(r, 'waiting', from, 'waiting-lost', WORDS.waitingLost[lang], 30000);
    t.match(waiting.text, WORDS.waitingLost[lang], `waiting for the lesson to come back (read: ${waiting.text})`);
    t.match(waiting.text, /-2301/, 'with what happened');

    // The server and the publisher come back: playing again; then the publisher stops: 2006 and waiting.
    const killed = nginx;
    t.teardown(() => killed.stop());
    nginx = await startNginxRtmp({ port });
    from = r.sub.events.length;
    pub = await startPublisher(url, PUB);
    await r.sub.waitFor((e) => e.event === 'state' && e.data.state === 'playing' && r.sub.events.indexOf(e) >= from, 40000, 'playing again');
    await sleep(1500);
    from = r.sub.events.length;
    await pub.stop('SIGINT');
    const ended = await wordsAfter(r, 'waiting', from, 'waiting-ended', WORDS.waitingEnded[lang]);
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
  {
    // An encoder set to H.265 behind a CDN that sends it as FLV codec id 12.
    name: 'unsupported-codec',
    cause: { en: /codec \(HEVC\)/, zh: /不支持.{0,12}HEVC/ },
    src: async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'liveplayerd-codec-'));
      const flv = readFileSync(makeFlv(dir, { ...SD, seconds: 20 }));
      rmSync(dir, { recursive: true, force: true });
      const s = await startCodecFlvServer(flv, 12);
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
      const { text } = await wordsAfter(r, 'error', from, `failed-${f.name}`, f.cause[lang]);
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

// The geometry on a real screen: the daemon plays into ximagesink on a
// private Xvfb, and screenshots of the root window (xwd) show the picture in
// its configured window, then full screen, then turned by requestFullScreen 90.
// Also reports the media worker's CPU per mode (software path, comment only).
import t from 'tap';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { RunningDaemon } from '../../helpers/daemon';
import { colourAt, extent, parseXwd, writePng, type Image } from '../../helpers/pixels';
import { playingBars } from '../../helpers/playing';
import { grab, startXvfb } from '../../helpers/tv';
import { sleep } from '../../helpers/time';

const WINDOW_AT = { x: 100, y: 80 };

async function screenshot(display: string): Promise<Image> {
  return parseXwd(await grab('xwd', ['-root', '-silent', '-display', display]));
}

/** Screenshots until `ok` holds (a change reaches the screen within a few frames), else the last one. */
async function screenUntil(display: string, ok: (img: Image) => boolean, timeoutMs = 8000): Promise<Image> {
  const end = Date.now() + timeoutMs;
  let img = await screenshot(display);
  while (!ok(img) && Date.now() < end) {
    await sleep(300);
    img = await screenshot(display);
  }
  return img;
}

/** CPU seconds used by the daemon's children (the playing worker; the spare idles) over `ms`. */
async function childCpuPercent(d: RunningDaemon, ms: number): Promise<number> {
  const ticks = () => {
    const pid = d.proc.pid!;
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    let sum = 0;
    for (const k of kids) {
      try {
        const f = readFileSync(`/proc/${k}/stat`, 'utf8').split(') ')[1]!.split(' ');
        sum += Number(f[11]) + Number(f[12]); // utime + stime
      } catch {
        /* exited meanwhile */
      }
    }
    return sum;
  };
  const a = ticks();
  await sleep(ms);
  return ((ticks() - a) / 100 / (ms / 1000)) * 100;
}

t.test('ximagesink on Xvfb shows the geometry', async (tt) => {
  const x = await startXvfb();
  tt.teardown(() => x.stop());
  const { d, sub } = await playingBars(tt, {
    daemon: { args: ['--video-sink', 'x', '--start-view', 'window', '--window-position', `${WINDOW_AT.x},${WINDOW_AT.y}`], env: { DISPLAY: x.display } },
  });
  const cpu: Record<string, number> = {};

  await tt.test('window: 600x450 at the configured 100,80, contain bars inside it', async (t2) => {
    const img = await screenUntil(x.display, (i) => colourAt(i, 110, 200) === 'grey');
    const row = extent(img, 'row', 200);
    const col = extent(img, 'column', 400);
    t2.same(row, [WINDOW_AT.x, WINDOW_AT.x + 599], `picture columns ${row}`);
    t2.ok(col && Math.abs(col[0] - (WINDOW_AT.y + 56)) <= 4 && Math.abs(col[1] - (WINDOW_AT.y + 393)) <= 4, `picture rows ${col} (16:9 in the 4:3 window)`);
    t2.equal(colourAt(img, WINDOW_AT.x + 10, 200), 'grey');
    t2.equal(colourAt(img, WINDOW_AT.x + 590, 200), 'blue');
    t2.equal(colourAt(img, 1500, 800), 'black', 'nothing outside the window');
    if (process.env.LIVEPLAYER_SAVE_SCREENSHOTS) {
      const dir = path.resolve(__dirname, '../../../../docs/screenshots');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'x-window-at-100-80.png'), writePng(img));
    }
    cpu.window = await childCpuPercent(d, 5000);
  });

  await tt.test('requestFullScreen: the whole 1920x1080 screen', async (t2) => {
    await d.api('POST', '/api/v1/player/requestFullScreen', { direction: 0 });
    const img = await screenUntil(x.display, (i) => colourAt(i, 20, 20) === 'grey');
    t2.same(extent(img, 'row', 200), [0, 1919]);
    t2.same(extent(img, 'column', 960)?.[0], 0);
    t2.equal(colourAt(img, 1900, 200), 'blue');
    cpu.fullScreen = await childCpuPercent(d, 5000);
  });

  await tt.test('requestFullScreen 90: turned counter-clockwise, pillarboxed', async (t2) => {
    await d.api('POST', '/api/v1/player/requestFullScreen', { direction: 90 });
    const img = await screenUntil(x.display, (i) => colourAt(i, 100, 540) === 'black' && colourAt(i, 800, 15) === 'blue');
    const row = extent(img, 'row', 540)!;
    t2.ok(Math.abs(row[0] - 656) <= 6 && Math.abs(row[1] - 1263) <= 6, `picture columns ${row} (expected about 656..1263)`);
    t2.equal(colourAt(img, 800, 15), 'blue', 'the source’s right edge (blue) is at the top');
    t2.equal(colourAt(img, 800, 1065), 'grey', 'the source’s left edge (grey) is at the bottom');
    if (process.env.LIVEPLAYER_SAVE_SCREENSHOTS) writeFileSync(path.resolve(__dirname, '../../../../docs/screenshots/x-fullscreen-90.png'), writePng(img));
    cpu.fullScreen90 = await childCpuPercent(d, 5000);
  });

  tt.comment(`media worker CPU (% of one core, ximagesink, 640x360 25 fps): window ${cpu.window?.toFixed(0)}, full screen ${cpu.fullScreen?.toFixed(0)}, full screen turned ${cpu.fullScreen90?.toFixed(0)}`);
  tt.equal(sub.codes().filter((c) => c === 2001).length, 1, 'one connection for all three: no restart');
});

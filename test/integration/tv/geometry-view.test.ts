// The picture's geometry on the real pipeline, checked by pixels of `view`
// snapshots (taken after the turn, crop and scale that the sink gets): the
// window, fit contain vs fillCrop, orientation, full screen in each
// direction, picture-in-picture. Every change is made while playing and must
// not restart the session. The stream is ffmpeg's smptebars (16:9, grey bar
// on the left, blue bar on the right) from a real publisher on nginx-rtmp.
import t from 'tap';
import path from 'node:path';
import { startDaemon, type RunningDaemon } from '../../helpers/daemon';
import { blackShare, colourAt, extent, readJpeg, readPng, type Image } from '../../helpers/pixels';
import { playingBars } from '../../helpers/playing';
import { sleep } from '../../helpers/time';

/** A `view` snapshot of the expected size; frames already past the elements when a change lands may still have the old one. */
async function view(d: RunningDaemon, width: number, height: number, sourceType: 'view' | 'stream' = 'view'): Promise<Image> {
  let last = '';
  for (let i = 0; i < 10; i++) {
    const r = await d.api('POST', '/api/v1/player/snapshot', { quality: 'raw', sourceType });
    if (r.status !== 200) throw new Error(`snapshot: HTTP ${r.status} ${JSON.stringify(r.body)}; log: ${d.logs().filter((l) => /"code":(2001|2103|2105|-2301)|warn|error/.test(l)).slice(-4).join(' | ')}`);
    const img = readPng(path.join(d.stateDir, 'snapshots', path.basename(r.body.tempImagePath as string)));
    if (img.width === width && img.height === height && r.body.width === width && r.body.height === height) {
      // One more frame, so none of a half-applied change is judged.
      await sleep(200);
      const again = await d.api('POST', '/api/v1/player/snapshot', { quality: 'raw', sourceType });
      return readPng(path.join(d.stateDir, 'snapshots', path.basename(again.body.tempImagePath as string)));
    }
    last = `${img.width}x${img.height}`;
    await sleep(300);
  }
  throw new Error(`view never became ${width}x${height} (last ${last})`);
}

t.test('geometry on the running pipeline', async (tt) => {
  // The window is where the geometry has something to show; a TV starts full screen (below).
  const { d, sub } = await playingBars(tt, { daemon: { args: ['--start-view', 'window'] } });

  await tt.test('stream snapshot: the decoded frame, upright, at source size', async (t2) => {
    const img = await view(d, 640, 360, 'stream');
    t2.equal(colourAt(img, 20, 100), 'grey');
    t2.equal(colourAt(img, 620, 100), 'blue');
  });

  await tt.test('compressed snapshots: a JPEG of the same pictures, stream and view', async (t2) => {
    for (const [sourceType, width, height, blue] of [['stream', 640, 360, [620, 100]], ['view', 600, 450, [590, 150]]] as const) {
      const r = await d.api('POST', '/api/v1/player/snapshot', { quality: 'compressed', sourceType });
      t2.equal(r.status, 200, `${sourceType}: snapshot ok`);
      const name = path.basename(r.body.tempImagePath as string);
      t2.match(name, /\.jpg$/, `${sourceType}: a .jpg file`);
      const img = readJpeg(path.join(d.stateDir, 'snapshots', name));
      t2.same([img.width, img.height, r.body.width, r.body.height], [width, height, width, height], `${sourceType}: ${width}x${height}, as the result says`);
      t2.equal(colourAt(img, 20, 150), 'grey', `${sourceType}: grey bar on the left`);
      t2.equal(colourAt(img, blue[0], blue[1]), 'blue', `${sourceType}: blue bar on the right`);
    }
  });

  await tt.test('window, contain: 600x450 with black bars above and below a 16:9 picture', async (t2) => {
    const img = await view(d, 600, 450);
    t2.ok(blackShare(img, [0, 10], [599, 10]) > 0.95, 'top rows are a bar');
    t2.ok(blackShare(img, [0, 440], [599, 440]) > 0.95, 'bottom rows are a bar');
    const col = extent(img, 'column', 300)!;
    t2.ok(Math.abs(col[0] - 56) <= 4 && Math.abs(col[1] - 393) <= 4, `picture rows ${col} (expected about 56..393)`);
    t2.equal(colourAt(img, 10, 150), 'grey', 'grey bar on the left');
    t2.equal(colourAt(img, 30, 150), 'grey', 'grey bar still 30 px in (the whole width is shown)');
    t2.equal(colourAt(img, 590, 150), 'blue', 'blue bar on the right');
  });

  await tt.test('PATCH objectFit fillCrop: no bars, the sides cropped', async (t2) => {
    t2.equal((await d.api('PATCH', '/api/v1/player', { objectFit: 'fillCrop' })).status, 200);
    await sleep(500);
    const img = await view(d, 600, 450);
    t2.ok(blackShare(img, [0, 5], [599, 5]) < 0.05, 'top row is picture, not a bar');
    const row = extent(img, 'row', 100)!;
    t2.same(row, [0, 599], 'the picture reaches both sides');
    t2.equal(colourAt(img, 5, 100), 'grey', 'left edge still grey');
    t2.equal(colourAt(img, 30, 100), 'yellow', '80 source px cropped per side: yellow starts ~14 px in');
  });

  await tt.test('PATCH orientation horizontal: turned 90° counter-clockwise, pillarboxed in the window', async (t2) => {
    await d.api('PATCH', '/api/v1/player', { objectFit: 'contain', orientation: 'horizontal' });
    await sleep(500);
    const img = await view(d, 600, 450);
    // The picture is 450 * 360 / 640 = 253 px wide, centred: pillars up to x 173 and from x 426.
    for (const x of [40, 165, 434, 560]) t2.ok(blackShare(img, [x, 0], [x, 449]) > 0.95, `x ${x} is a pillar`);
    // The source's top row (all bars, no black) is now the picture's left column.
    t2.ok(blackShare(img, [180, 0], [180, 449]) < 0.05, 'x 180 is picture from top to bottom');
    t2.ok(Math.abs(extent(img, 'row', 225)![0] - 173) <= 4, `picture starts at x ${extent(img, 'row', 225)![0]} (expected about 173)`);
    t2.equal(colourAt(img, 230, 8), 'blue', 'the source’s right edge (blue) is at the top');
    t2.equal(colourAt(img, 230, 442), 'grey', 'the source’s left edge (grey) is at the bottom');
  });

  await tt.test('requestFullScreen -90: 1920x1080, turned clockwise, fullscreenchange on SSE', async (t2) => {
    const from = sub.events.length;
    t2.same((await d.api('POST', '/api/v1/player/requestFullScreen', { direction: -90 })).body, { errMsg: 'requestFullScreen:ok' });
    const ev = await sub.waitFor((e) => e.event === 'fullscreenchange' && sub.events.indexOf(e) >= from, 5000, 'fullscreenchange');
    t2.same(ev.data, { direction: -90, fullScreen: true });
    await sleep(500);
    const img = await view(d, 1920, 1080);
    const row = extent(img, 'row', 540)!;
    t2.ok(Math.abs(row[0] - 656) <= 6 && Math.abs(row[1] - 1263) <= 6, `picture columns ${row} (expected about 656..1263)`);
    t2.equal(colourAt(img, 1150, 15), 'grey', 'the source’s left edge (grey) is at the top');
    t2.equal(colourAt(img, 1150, 1065), 'blue', 'the source’s right edge (blue) is at the bottom');
  });

  await tt.test('requestFullScreen 0: upright, a 16:9 picture fills the 16:9 screen', async (t2) => {
    await d.api('POST', '/api/v1/player/requestFullScreen', { direction: 0 });
    await sleep(500);
    const img = await view(d, 1920, 1080);
    t2.same(extent(img, 'row', 200), [0, 1919], 'no pillars');
    t2.same(extent(img, 'column', 960)?.[0], 0, 'no bar on top');
    t2.equal(colourAt(img, 30, 200), 'grey');
    t2.equal(colourAt(img, 1890, 200), 'blue');
  });

  await tt.test('exitFullScreen and picture-in-picture: 480x360 contain', async (t2) => {
    const from = sub.events.length;
    await d.api('POST', '/api/v1/player/exitFullScreen');
    const ev = await sub.waitFor((e) => e.event === 'fullscreenchange' && sub.events.indexOf(e) >= from, 5000, 'fullscreenchange');
    t2.same(ev.data, { direction: 0, fullScreen: false });
    await d.api('PATCH', '/api/v1/player', { orientation: 'vertical' });
    await view(d, 600, 450);
    t2.same((await d.api('POST', '/api/v1/player/requestPictureInPicture')).body, { errMsg: 'requestPictureInPicture:ok' });
    await sleep(500);
    const img = await view(d, 480, 360);
    const col = extent(img, 'column', 240)!;
    t2.ok(Math.abs(col[0] - 45) <= 4 && Math.abs(col[1] - 314) <= 4, `picture rows ${col} (expected about 45..314)`);
    t2.equal(colourAt(img, 10, 120), 'grey');
    t2.equal(colourAt(img, 470, 120), 'blue');
    await d.api('POST', '/api/v1/player/exitPictureInPicture');
    await view(d, 600, 450);
  });

  await tt.test('40 changes 30 ms apart: still playing, the last one shown', async (t2) => {
    const steps: [string, string, unknown?][] = [
      ['PATCH', '/api/v1/player', { orientation: 'horizontal' }],
      ['POST', '/api/v1/player/requestFullScreen', { direction: -90 }],
      ['POST', '/api/v1/player/requestFullScreen', { direction: 0 }],
      ['POST', '/api/v1/player/exitFullScreen'],
      ['PATCH', '/api/v1/player', { orientation: 'vertical', objectFit: 'fillCrop' }],
      ['POST', '/api/v1/player/requestPictureInPicture'],
      ['PATCH', '/api/v1/player', { objectFit: 'contain' }],
      ['POST', '/api/v1/player/exitPictureInPicture'],
    ];
    for (let round = 0; round < 5; round++) {
      for (const [method, route, body] of steps) {
        t2.equal((await d.api(method, route, body)).status, 200);
        await sleep(30);
      }
    }
    await sleep(1000);
    t2.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing');
    const img = await view(d, 600, 450);
    t2.equal(colourAt(img, 10, 150), 'grey', 'upright window again');
    t2.ok(blackShare(img, [0, 10], [599, 10]) > 0.95, 'contain again');
  });

  await tt.test('no change restarted the session', async (t2) => {
    const codes = sub.codes();
    t2.equal(codes.filter((c) => c === 2001).length, 1, 'one connection (2001) for the whole test');
    t2.equal(codes.filter((c) => c === 2004).length, 1, 'one first frame (2004)');
    t2.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing');
  });

  await tt.test('RTC mode (rtc.pipeline) has the same geometry: full screen 90 starts turned', async (t2) => {
    await d.api('POST', '/api/v1/player/requestFullScreen', { direction: 90 });
    const from = sub.events.length;
    await d.api('PATCH', '/api/v1/player', { mode: 'RTC' });
    await sub.waitForCode(2004, 20000, from);
    const img = await view(d, 1920, 1080);
    const row = extent(img, 'row', 540)!;
    t2.ok(Math.abs(row[0] - 656) <= 6 && Math.abs(row[1] - 1263) <= 6, `picture columns ${row} (expected about 656..1263)`);
    t2.equal(colourAt(img, 800, 15), 'blue', 'counter-clockwise: the source’s right edge (blue) is at the top');
    t2.equal(colourAt(img, 800, 1065), 'grey');
  });
});

t.test('a TV starts full screen: the view is the whole 1920x1080 screen, and a chosen view survives a restart', async (tt) => {
  const { d } = await playingBars(tt, { name: 'bars2' });
  tt.same((await d.api('GET', '/api/v1/player')).body.fullScreen, { fullScreen: true, direction: 0 }, 'full screen from the first frame');
  const img = await view(d, 1920, 1080, 'view');
  tt.equal(colourAt(img, 40, 540), 'grey', 'the bars reach the left edge');
  tt.equal(colourAt(img, 1880, 540), 'blue', 'and the right edge');
  await d.api('POST', '/api/v1/player/requestPictureInPicture');
  await d.api('POST', '/api/v1/player/exitFullScreen');
  await new Promise((r) => setTimeout(r, 500));
  await d.kill('SIGKILL');
  const d2 = await startDaemon({ stateDir: d.stateDir });
  tt.teardown(() => d2.stop());
  const v = (await d2.api('GET', '/api/v1/player')).body;
  tt.same([v.fullScreen.fullScreen, v.pictureInPicture], [false, true], 'the chosen view (PiP) comes back after a SIGKILL');
});

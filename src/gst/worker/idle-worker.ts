// Entry point of the TV screen process: runs gst-pipelines/idle.pipeline on
// the configured video sink at the screen's size, pushes the card's picture
// rendered by card-images.ts once a second and sets the words as
// properties of the named textoverlays. Like the media worker it is the only
// importer of the binding in its process; the daemon kills it outright when
// the card goes away, and forks a new one for the next card.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { renderBandImage, renderCornerImage, renderIdleImage, renderStillImage } from './card-images';
import { chooseVideoSink, STUCK_CARD_TEST_ENV, videoSinkDescription, type VideoSinkPref } from '../element-choice';
import { describeIdlePipeline } from '../pipeline-description';
import type { Gst, GstElement, GstPipeline } from './binding';
import { cacheChildren } from './element-cache';
import { lastSampleRaster, type Raster } from './last-frame';
import type { Card, FromCardProcess, ToCardProcess } from '../protocol';

const FRAME_MS = 1000;
const CAPTURE_TIMEOUT_MS = 4000;
/** How often a capture looks at the snap sink's count. */
const CAPTURE_POLL_MS = 10;

function send(m: FromCardProcess): void {
  // With a callback a send to a parent that is gone is a quiet error, not an
  // 'error' event that prints EPIPE and a stack trace on the way out.
  if (process.connected) process.send!(m, undefined, {}, () => undefined);
}

let pipeline: GstPipeline | null = null;
let src: GstElement | null = null;
let frame: Buffer | null = null;
let drawn = '';
let size = { width: 0, height: 0 };
let ticker: NodeJS.Timeout | null = null;

/** Set by the STUCK_CARD_TEST_ENV test hook: this process pushes no frame. */
let stalled = false;

function pushFrame(): void {
  if (src && frame && !stalled) src.push!(frame);
}

// textoverlay re-renders its words only when a property changed since its
// last frame, and a change that lands while the streaming thread renders the
// frame before it can be lost: the card then keeps its old words for good.
// For a few seconds after a change the words are set again before each
// frame, which costs one pango layout a second.
const REASSERT_MS = 3000;
const REASSERT_FIRST_MS = 120;
let card: Card | null = null;
let shownAt = 0;

function applyWords(c: Card): void {
  const title = pipeline?.findChild('title');
  const status = pipeline?.findChild('status');
  for (const [el, text, font] of [[title, c.title, c.titleFont], [status, c.status, c.statusFont]] as const) {
    if (!el) continue;
    el['font-desc'] = font;
    el['shaded-background'] = c.shaded;
    el.text = text;
  }
}

function tick(): void {
  if (card && Date.now() - shownAt < REASSERT_MS) applyWords(card);
  pushFrame();
  checkRendered();
}

// A card process whose sink never draws (seen once in a few runs on a busy
// machine: the process alive, its frames pushed, no window on the screen)
// would leave the TV black for good. The sink counts what it rendered: if
// nothing was drawn within STUCK_MS of a card, the process leaves and the
// daemon starts a fresh one with the same card.
const STUCK_MS = 4000;
let awaitingSince = 0;
let renderedBefore = 0;

function rendered(): number {
  const stats = String(pipeline?.findChild('vsink')?.stats ?? '');
  return Number(/rendered=\(guint64\)(\d+)/.exec(stats)?.[1] ?? NaN);
}

function checkRendered(): void {
  if (!awaitingSince) return;
  const n = rendered();
  // A sink without the statistics (NaN) cannot be checked.
  if (!(n <= renderedBefore)) {
    awaitingSince = 0;
    return;
  }
  if (Date.now() - awaitingSince < STUCK_MS) return;
  awaitingSince = 0;
  send({ t: 'error', detail: `the video sink drew nothing in ${STUCK_MS} ms; starting a fresh card process` });
  // process.exit would wait for the pipeline's threads (as in the disconnect handler below).
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 50);
}

function picture(c: Card): Buffer {
  if (c.layout === 'idle') return renderIdleImage(c.qr ?? '', c.width, c.height);
  if (c.layout === 'corner') return renderCornerImage(c.qr ?? '', c.width, c.height);
  if (c.layout === 'still' && c.backdrop) {
    const { still, bandHeight, bandWidth, dim } = c.backdrop;
    return renderStillImage({ width: still.width, height: still.height, rgba: Buffer.from(still.rgba, 'base64') }, c.width, c.height, bandHeight, { bandWidth, dim });
  }
  return renderBandImage(c.width, c.height);
}

// On X the window of the card before stays until the new one has drawn its
// first frame (the band of a drop, then the dimmed picture under it: the
// words never leave the screen in between). Other sinks give the display up
// first: a second kmssink could not take the plane the first one holds.
const RETIRE_WAIT_MS = 2000;
const RETIRE_POLL_MS = 10;
let retiring: { pipeline: GstPipeline; timer: NodeJS.Timeout } | null = null;

function retireNow(): void {
  if (!retiring) return;
  clearInterval(retiring.timer);
  retiring.pipeline.stop();
  retiring = null;
}

function retire(old: GstPipeline, overlapping: boolean): void {
  retireNow();
  if (!overlapping) return old.stop();
  const t0 = Date.now();
  const timer = setInterval(() => {
    const sink = pipeline?.findChild('vsink');
    if ((sink && renderedBy(sink) > 0) || Date.now() - t0 > RETIRE_WAIT_MS) retireNow();
  }, RETIRE_POLL_MS);
  retiring = { pipeline: old, timer };
}

// waylandsink asked to draw before weston has given its full-screen window a
// size fails with "Window has no size set" (seen under load, 2 of 4 CI runs:
// the drop's card never showed). A pipeline that fails before drawing
// anything is built again at once, a few times, with the same card.
const REBUILDS = 3;
const REBUILD_AFTER_MS = 50;
let lastShow: Extract<ToCardProcess, { t: 'show' }> | null = null;
let rebuilds = 0;
/** The failed pipeline a rebuild is on its way for (its other errors follow the first). */
let rebuilding: GstPipeline | null = null;

function rebuildAfterError(failed: GstPipeline): void {
  if (failed !== pipeline || failed === rebuilding || !lastShow || rebuilds >= REBUILDS || rendered() > 0) return;
  rebuilds++;
  rebuilding = failed;
  setTimeout(() => {
    rebuilding = null;
    if (failed !== pipeline || !lastShow) return;
    // A window still retiring stays: it holds the words until this one draws.
    dropPipeline((p) => p.stop());
    show(lastShow);
  }, REBUILD_AFTER_MS);
}

/** Lets the current pipeline go through `end` (stop, or retire) and forgets what it drew. */
function dropPipeline(end: (p: GstPipeline) => void): void {
  if (!pipeline) return;
  if (ticker) clearInterval(ticker);
  ticker = null;
  end(pipeline);
  pipeline = null;
  src = null;
  drawn = '';
}

function show(m: Extract<ToCardProcess, { t: 'show' }>): void {
  if (m !== lastShow) rebuilds = 0;
  lastShow = m;
  const c = m.card;
  const sinkKind = chooseVideoSink(m.videoSink, { env: process.env, exists: existsSync });
  // A card of another size (the pairing corner, then the band of a drop)
  // gets a new pipeline in this warm process: its sink opens a new window,
  // which X puts above the others, as a new process would.
  if (pipeline && (c.width !== size.width || c.height !== size.height)) {
    dropPipeline((p) => retire(p, sinkKind === 'x'));
    awaitingSince = 0;
  }
  if (!pipeline) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const gst: Gst = require('gstreamer-superficial');
    const sink = videoSinkDescription(sinkKind, false);
    size = { width: c.width, height: c.height };
    const built = cacheChildren(new gst.Pipeline(describeIdlePipeline(sink, size)));
    pipeline = built;
    src = pipeline.findChild('src');
    if (!src?.push) throw new Error('idle pipeline has no appsrc named "src"');
    pipeline.pollBus((msg) => {
      if (msg.type !== 'error') return;
      send({ t: 'error', detail: `${String(msg.message)}` });
      rebuildAfterError(built);
    });
    pipeline.play();
    ticker = setInterval(tick, FRAME_MS);
    const stuckFlag = process.env[STUCK_CARD_TEST_ENV];
    if (stuckFlag && existsSync(stuckFlag)) {
      rmSync(stuckFlag, { force: true });
      stalled = true;
    }
  }
  const key = `${c.layout}|${c.qr ?? ''}|${c.backdrop?.serial ?? ''}`;
  if (key !== drawn) {
    frame = picture(c);
    drawn = key;
  }
  card = c;
  shownAt = Date.now();
  if (!awaitingSince) {
    awaitingSince = Date.now();
    renderedBefore = rendered();
  }
  applyWords(c);
  setTimeout(tick, REASSERT_FIRST_MS);
  pushFrame();
  send({ t: 'showing' });
}

const renderedBy = (el: GstElement): number => Number(/rendered=\(guint64\)(\d+)/.exec(String(el.stats ?? ''))?.[1] ?? 0);

// Two fresh frames through the open valve, the words set again before each:
// the second is drawn with words set while no frame was in textoverlay (a
// change that lands during a frame can be lost, see REASSERT_MS), and it is
// read from the snap sink's last-sample as soon as the sink has counted it.
// `fast`: PNG without filters at the lowest compression, for a card that
// is decoded again at once; a few MB instead of tens of kB, a third of the
// time. `rawTo`: no PNG at all, the pixels in a file in that folder (the
// stream's screen takes them as they are).
function capture(id: number, fast: boolean, rawTo?: string): void {
  const valve = pipeline?.findChild('snapvalve');
  const sink = pipeline?.findChild('snap');
  if (!valve || !sink) return send({ t: 'captured', id, error: 'idle screen not showing' });
  const from = renderedBy(sink);
  const t0 = Date.now();
  const fresh = () => {
    if (card) applyWords(card);
    pushFrame();
  };
  valve.drop = false;
  fresh();
  let second = false;
  const poll = setInterval(() => {
    const n = renderedBy(sink);
    if (!second && n >= from + 1) {
      second = true;
      fresh();
    }
    if (n < from + 2) {
      if (Date.now() - t0 < CAPTURE_TIMEOUT_MS) return;
      clearInterval(poll);
      valve.drop = true;
      return send({ t: 'captured', id, error: 'no frame arrived to capture' });
    }
    clearInterval(poll);
    valve.drop = true;
    let img: Raster;
    try {
      img = lastSampleRaster(sink);
    } catch (err) {
      return send({ t: 'captured', id, error: `capture returned no picture: ${(err as Error).message}` });
    }
    if (rawTo) {
      const file = path.join(rawTo, `card-${process.pid}-${id}.rgba`);
      try {
        writeFileSync(file, img.data, { mode: 0o600 });
      } catch (err) {
        return send({ t: 'captured', id, error: `the card could not be written: ${(err as Error).message}` });
      }
      return send({ t: 'captured', id, raw: { file, width: img.width, height: img.height } });
    }
    const png = Object.assign(new PNG({ width: img.width, height: img.height }), { data: img.data });
    send({ t: 'captured', id, png: PNG.sync.write(png, fast ? { filterType: 0, deflateLevel: 1 } : {}).toString('base64') });
  }, CAPTURE_POLL_MS);
}

process.on('message', (m: ToCardProcess) => {
  try {
    if (m.t === 'show') show(m);
    else if (m.t === 'capture') capture(m.id, m.fast === true, m.rawTo);
  } catch (err) {
    send({ t: 'error', detail: `idle worker: ${(err as Error).message}` });
  }
});

// The parent going away means nobody will stop us: leave at once (see worker.ts).
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
process.on('exit', () => ticker && clearInterval(ticker));

// Load the binding and let pango load its fonts once before saying ready:
// a spare process then shows its card within a few frames of being asked.
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gst: Gst = require('gstreamer-superficial');
  const warm = new gst.Pipeline('videotestsrc num-buffers=1 ! video/x-raw,width=64,height=36 ! textoverlay text=字A font-desc="Noto Sans CJK SC, sans 8" ! fakesink');
  warm.play();
  setTimeout(() => {
    warm.stop();
    send({ t: 'ready' });
  }, 150);
} catch {
  send({ t: 'ready' });
}

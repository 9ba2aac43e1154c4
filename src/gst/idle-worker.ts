// Entry point of the TV idle-screen process: runs gst-pipelines/idle.pipeline
// on the configured video sink, pushes the picture rendered by
// src/tv/idle-screen.ts once a second and sets the words as properties of the
// named textoverlays. Like the media worker it is the only importer of the
// binding in its process, and the daemon kills it outright when playback
// needs the screen.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { PNG } from 'pngjs';
import { IDLE_HEIGHT, IDLE_WIDTH, renderIdleImage } from '../tv/idle-screen';
import { chooseVideoSink, videoSinkDescription, type VideoSinkPref } from './element-choice';
import { pipelineDir } from './pipeline-description';
import type { Gst, GstElement, GstPipeline } from './binding';
import { cacheChildren } from './element-cache';

export type ToIdleWorker =
  | { t: 'show'; videoSink: VideoSinkPref; qr: string; title: string; status: string }
  | { t: 'capture'; id: number };

export type FromIdleWorker =
  | { t: 'ready' }
  | { t: 'showing' }
  | { t: 'captured'; id: number; png?: string; error?: string }
  | { t: 'error'; detail: string };

const ELEMENT = /^[a-z0-9_]+( [a-z-]+=[a-z0-9]+)*$/;
const FRAME_MS = 1000;
const CAPTURE_TIMEOUT_MS = 4000;

/** idle.pipeline with {{video_sink}} from the element table; nothing else may be filled in. */
export function describeIdlePipeline(videoSink: string, dir = pipelineDir()): string {
  if (!ELEMENT.test(videoSink)) throw new Error(`refusing element description "${videoSink}"`);
  const text = readFileSync(path.join(dir, 'idle.pipeline'), 'utf8')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n');
  return text.replace(/\{\{([^}]*)\}\}/g, (_, key: string) => {
    if (key !== 'video_sink') throw new Error(`unknown placeholder {{${key}}} in idle.pipeline`);
    return videoSink;
  });
}

function send(m: FromIdleWorker): void {
  if (process.connected) process.send!(m);
}

let pipeline: GstPipeline | null = null;
let src: GstElement | null = null;
let frame: Buffer | null = null;
let qrShown = '';
let ticker: NodeJS.Timeout | null = null;

function pushFrame(): void {
  if (src && frame) src.push!(frame);
}

function show(m: Extract<ToIdleWorker, { t: 'show' }>): void {
  if (!pipeline) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const gst: Gst = require('gstreamer-superficial');
    const sink = videoSinkDescription(chooseVideoSink(m.videoSink, { env: process.env, exists: existsSync }));
    pipeline = cacheChildren(new gst.Pipeline(describeIdlePipeline(sink)));
    src = pipeline.findChild('src');
    if (!src?.push) throw new Error('idle pipeline has no appsrc named "src"');
    pipeline.pollBus((msg) => {
      if (msg.type === 'error') send({ t: 'error', detail: `${String(msg.message)}` });
    });
    pipeline.play();
    ticker = setInterval(pushFrame, FRAME_MS);
  }
  if (m.qr !== qrShown) {
    frame = renderIdleImage(m.qr, IDLE_WIDTH, IDLE_HEIGHT);
    qrShown = m.qr;
  }
  const title = pipeline.findChild('title');
  const status = pipeline.findChild('status');
  if (title) title.text = m.title;
  if (status) status.text = m.status;
  pushFrame();
  send({ t: 'showing' });
}

function capture(id: number): void {
  const valve = pipeline?.findChild('snapvalve');
  const sink = pipeline?.findChild('snap');
  if (!valve || !sink?.pull) return send({ t: 'captured', id, error: 'idle screen not showing' });
  let done = false;
  const timer = setTimeout(() => {
    done = true;
    valve.drop = true;
    send({ t: 'captured', id, error: 'no frame arrived to capture' });
  }, CAPTURE_TIMEOUT_MS);
  valve.drop = false;
  // A fresh frame through the open valve, so the capture shows the current words.
  pushFrame();
  sink.pull((buf, caps) => {
    if (done) return;
    valve.drop = true;
    clearTimeout(timer);
    const width = Number(caps.width);
    const height = Number(caps.height);
    if (!buf || !width || !height || buf.length < width * height * 4) return send({ t: 'captured', id, error: 'capture returned no picture' });
    const png = Object.assign(new PNG({ width, height }), { data: Buffer.from(buf.subarray(0, width * height * 4)) });
    send({ t: 'captured', id, png: PNG.sync.write(png).toString('base64') });
  });
}

process.on('message', (m: ToIdleWorker) => {
  try {
    if (m.t === 'show') show(m);
    else if (m.t === 'capture') capture(m.id);
  } catch (err) {
    send({ t: 'error', detail: `idle worker: ${(err as Error).message}` });
  }
});

// The parent going away means nobody will stop us: leave at once (see worker.ts).
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
process.on('exit', () => ticker && clearInterval(ticker));

send({ t: 'ready' });

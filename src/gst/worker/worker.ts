// Entry point of a media worker process: one per playback session, thrown
// away afterwards. It is the only place that loads gstreamer-superficial, so
// the binding's leaks, parked threads and segfaults die with the process and
// never reach the control surface (see README, design notes).
import type { FromWorker, ToWorker } from '../protocol';
import { WorkerSession } from './session';
import type { Gst, GstPipeline } from './binding';
import { describePipeline, type PipelineChoice } from '../pipeline-description';
import { placeCaps } from '../element-choice';
import { cacheChildren } from './element-cache';
import { watchMemory, workerRssLimitMiB } from './memory-bound';
import { exposedGc, tidyEveryMs, tidyHeap } from './heap-tidy';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gst: Gst = require('gstreamer-superficial');

function send(m: FromWorker): void {
  // With a callback a send to a parent that is gone is a quiet error, not an
  // 'error' event that prints EPIPE and a stack trace on the way out.
  if (process.connected) process.send!(m, undefined, {}, () => undefined);
}

/** A pipeline parsed for a choice, with what the element table sets per sink before it starts. */
function build(text: string, choice: PipelineChoice): GstPipeline {
  const pipeline = cacheChildren(new gst.Pipeline(text));
  const filter = pipeline.findChild('placecaps');
  if (filter) filter.caps = placeCaps(choice.video_sink);
  return pipeline;
}

let session: WorkerSession | null = null;
let prepared: { key: string; pipeline: GstPipeline } | null = null;

process.on('message', (raw: ToWorker) => {
  try {
    switch (raw.t) {
      case 'prepare': {
        // Parsing loads the plugins; done while idle it keeps `play` fast.
        const text = describePipeline(raw.choice);
        prepared = { key: text, pipeline: build(text, raw.choice) };
        break;
      }
      case 'open': {
        const text = describePipeline(raw.plan.choice);
        const pipeline = prepared && prepared.key === text ? prepared.pipeline : build(text, raw.plan.choice);
        prepared = null;
        session = new WorkerSession(pipeline, raw.plan, send);
        session.start();
        break;
      }
      default:
        session?.command(raw);
    }
  } catch (err) {
    send({ t: 'failed', code: null, detail: `media worker: ${(err as Error).message}` });
  }
});

// The parent going away means nobody will ever stop us: leave at once, without
// running exit hooks that could hang on the binding's parked threads.
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));

// Past the bound the session ends here and the daemon starts a fresh one; the
// reason goes first so the daemon can say it (a kill gives no reason).
const limitMiB = workerRssLimitMiB();
watchMemory(limitMiB, (rssMiB) => {
  const detail = `media process used ${rssMiB.toFixed(0)} MiB, over its ${limitMiB} MiB bound`;
  if (!process.connected) process.kill(process.pid, 'SIGKILL');
  else process.send!({ t: 'ending', detail } satisfies FromWorker, () => process.kill(process.pid, 'SIGKILL'));
});

// Garbage in the old generation is collected every minute, not when V8
// nears its limit (heap-tidy.ts); the daemon logs how long each took.
const gc = exposedGc();
if (gc) tidyHeap(gc, tidyEveryMs(), (ms) => send({ t: 'log', level: 'debug', msg: 'collected the worker\'s heap', data: { ms: Math.round(ms * 10) / 10 } }));

send({ t: 'ready' });

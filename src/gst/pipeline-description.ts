// Loads a description from gst-pipelines/ and fills its {{placeholders}}
// from the element table. Anything else between braces is refused, so a
// description cannot grow a hole that a user string could be put into.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type PipelineVariant = 'live' | 'rtc';

export interface PipelineChoice {
  variant: PipelineVariant;
  video_decoder: string;
  video_sink: string;
  audio_sink: string;
  /** The elements in the counter-clockwise and clockwise rotation branches (element table). */
  rotate_left: string;
  rotate_right: string;
  /** The screen's end for the TV's words (the description's [words] lines): for the sinks that show them on the stream's own screen. */
  screen_words?: boolean;
}

// A factory and simple properties; a GstStructure value only as `c,name=number`.
const ONE = '[a-z0-9_]+( [a-z-]+=[a-z0-9]+(,[a-z]+=[0-9]+)*)*';
const ELEMENT = new RegExp(`^${ONE}$`);
// The decoder slot alone may hold a short chain from the table (the failing
// test decoder, element-choice.ts); still no quotes, paths or other punctuation.
const CHAIN = new RegExp(`^${ONE}( ! ${ONE}){0,2}$`);
const KEYS = ['video_decoder', 'video_sink', 'audio_sink', 'rotate_left', 'rotate_right'] as const;

export function pipelineDir(): string {
  // dist/src/gst -> repository root; src/gst under a TS runner -> root as well.
  for (const up of ['../../..', '../..']) {
    const dir = path.resolve(__dirname, up, 'gst-pipelines');
    try {
      readFileSync(path.join(dir, 'live.pipeline'));
      return dir;
    } catch {
      /* try the next candidate */
    }
  }
  throw new Error('gst-pipelines/ not found next to the program');
}

/** Lines that begin with this are in the pipeline only with `screen_words`. */
const WORDS_LINE = '[words]';

/**
 * A description file with every {{placeholder}} filled from `values`; a
 * placeholder it does not know is refused. [words] lines are kept (without
 * the mark) only with `words`.
 */
function fill(file: string, dir: string, values: Readonly<Record<string, string>>, words = false): string {
  const text = readFileSync(path.join(dir, file), 'utf8')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .filter((l) => words || !l.startsWith(WORDS_LINE))
    .map((l) => (l.startsWith(WORDS_LINE) ? l.slice(WORDS_LINE.length) : l))
    .join('\n');
  return text.replace(/\{\{([^}]*)\}\}/g, (_, key: string) => {
    const v = Object.prototype.hasOwnProperty.call(values, key) ? values[key] : undefined;
    if (v === undefined) throw new Error(`unknown placeholder {{${key}}} in ${file}`);
    return v;
  });
}

/** The parse-launch text for a variant with the chosen elements in place. */
export function describePipeline(choice: PipelineChoice, dir = pipelineDir()): string {
  const values: Record<string, string> = {};
  for (const key of KEYS) {
    const value = choice[key];
    if (!(key === 'video_decoder' ? CHAIN : ELEMENT).test(value)) throw new Error(`refusing element description "${value}" for {{${key}}}`);
    values[key] = value;
  }
  return fill(`${choice.variant}.pipeline`, dir, values, choice.screen_words === true);
}

/** The TV card's pipeline (idle.pipeline) with {{video_sink}} from the element table and the screen's size; nothing else may be filled in. */
export function describeIdlePipeline(videoSink: string, size: { width: number; height: number } = { width: 1280, height: 720 }, dir = pipelineDir()): string {
  if (!ELEMENT.test(videoSink)) throw new Error(`refusing element description "${videoSink}"`);
  for (const v of [size.width, size.height]) if (!Number.isInteger(v) || v < 16 || v > 8192) throw new Error(`refusing screen size ${v}`);
  return fill('idle.pipeline', dir, { video_sink: videoSink, width: String(size.width), height: String(size.height) });
}

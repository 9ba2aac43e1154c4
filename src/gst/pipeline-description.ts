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
}

const ONE = '[a-z0-9_]+( [a-z-]+=[a-z0-9]+)*';
const ELEMENT = new RegExp(`^${ONE}$`);
// The decoder slot alone may hold a short chain from the table (the failing
// test decoder, element-choice.ts); still no quotes, paths or other punctuation.
const CHAIN = new RegExp(`^${ONE}( ! ${ONE}){0,2}$`);

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

/** The parse-launch text for a variant with the chosen elements in place. */
export function describePipeline(choice: PipelineChoice, dir = pipelineDir()): string {
  const text = readFileSync(path.join(dir, `${choice.variant}.pipeline`), 'utf8')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n');
  return text.replace(/\{\{([^}]*)\}\}/g, (_, key: string) => {
    if (key !== 'video_decoder' && key !== 'video_sink' && key !== 'audio_sink') throw new Error(`unknown placeholder {{${key}}}`);
    const value = choice[key];
    if (!(key === 'video_decoder' ? CHAIN : ELEMENT).test(value)) throw new Error(`refusing element description "${value}" for {{${key}}}`);
    return value;
  });
}

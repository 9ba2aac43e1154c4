// Codes 2101/2102 from counting: libav conceals or drops a frame it cannot
// decode and says so only in its debug log, never on the bus. The identity
// elements around each decoder count buffers in and out; frames that went in
// and never came out (beyond what a decoder holds for reordering) failed.
import type { GstPipeline } from './binding';

/** Frames a decoder may legitimately hold back (B-frame reordering, AAC priming). */
const IN_FLIGHT = { video: 4, audio: 2 } as const;

/** Buffers that passed a counting identity (its `stats`); also used by first-picture-watch.ts. */
export function countBuffers(pipeline: GstPipeline, name: string): number {
  const m = /num-buffers=\(guint64\)(\d+)/.exec(String(pipeline.findChild(name)?.stats ?? ''));
  return m ? Number(m[1]) : 0;
}

export class DecodeWatch {
  private reported = { video: 0, audio: 0 };

  constructor(private readonly pipeline: GstPipeline) {}

  /** Called about once a second; returns the codes for frames lost since the last call. */
  check(): { code: 2101 | 2102; detail: string }[] {
    const out: { code: 2101 | 2102; detail: string }[] = [];
    for (const [kind, code, pre] of [['video', 2101, 'vdec'], ['audio', 2102, 'adec']] as const) {
      const missing = countBuffers(this.pipeline, `${pre}in`) - countBuffers(this.pipeline, `${pre}out`);
      const lost = missing - IN_FLIGHT[kind] - this.reported[kind];
      if (lost > 0) {
        this.reported[kind] += lost;
        out.push({ code, detail: `${lost} ${kind} frame${lost > 1 ? 's' : ''} could not be decoded (${this.reported[kind]} so far)` });
      }
    }
    return out;
  }
}

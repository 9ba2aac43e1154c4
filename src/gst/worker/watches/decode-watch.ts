// Codes 2101/2102 from counting: libav conceals or drops a frame it cannot
// decode and says so only in its debug log, never on the bus. The identity
// elements around each decoder count buffers in and out; frames that went in
// and never came out (beyond what a decoder holds for reordering) failed.
// Two things are not failures and are kept out of that count: frames the
// decoder skipped because they were late (its QoS messages say how many),
// and frames still inside the decoder at the moment of counting (a busy
// decoder or one held by a paused sink lets them out a moment later), so
// only a shortfall seen at two checks in a row is reported.
import type { GstPipeline } from '../binding';

/** Frames a decoder may legitimately hold back (B-frame reordering, AAC priming). */
const IN_FLIGHT = { video: 4, audio: 2 } as const;

/** Buffers that passed a counting identity (its `stats`); also used by first-picture-watch.ts. */
export function countBuffers(pipeline: GstPipeline, name: string): number {
  const m = /num-buffers=\(guint64\)(\d+)/.exec(String(pipeline.findChild(name)?.stats ?? ''));
  return m ? Number(m[1]) : 0;
}

type Kind = 'video' | 'audio';

export class DecodeWatch {
  private reported = { video: 0, audio: 0 };
  private shortfall = { video: 0, audio: 0 };
  /** Late drops per element: the element's last cumulative figure and the session's total. */
  private readonly late = new Map<string, { seen: number; total: number }>();

  constructor(private readonly pipeline: GstPipeline) {}

  /** A QoS report from `element` (vdec, vsink): its cumulative count of late buffers dropped. */
  onLate(element: string, dropped: number): void {
    const e = this.late.get(element) ?? { seen: 0, total: 0 };
    // The figure restarts from 0 when the element is flushed.
    e.total += dropped >= e.seen ? dropped - e.seen : dropped;
    e.seen = dropped;
    this.late.set(element, e);
  }

  /** Video frames dropped because they were late, by the decoder and the sink, this session (netstatus droppedFrames). */
  get droppedFrames(): number {
    let n = 0;
    for (const e of this.late.values()) n += e.total;
    return n;
  }

  /** Called about once a second; returns the codes for frames lost since the last call. */
  check(): { code: 2101 | 2102; detail: string }[] {
    const out: { code: 2101 | 2102; detail: string }[] = [];
    for (const [kind, code, pre] of [['video', 2101, 'vdec'], ['audio', 2102, 'adec']] as const) {
      const missing = countBuffers(this.pipeline, `${pre}in`) - countBuffers(this.pipeline, `${pre}out`);
      const skipped = this.late.get(pre)?.total ?? 0;
      const now = Math.max(0, missing - IN_FLIGHT[kind] - skipped);
      const lost = Math.min(now, this.shortfall[kind]) - this.reported[kind];
      this.shortfall[kind] = now;
      if (lost > 0) {
        this.reported[kind] += lost;
        out.push({ code, detail: `${lost} ${kind} frame${lost > 1 ? 's' : ''} could not be decoded (${this.reported[kind]} so far)` });
      }
    }
    return out;
  }

  /** For tests: what has been reported so far. */
  get lost(): Record<Kind, number> {
    return { ...this.reported };
  }
}

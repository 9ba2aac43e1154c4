// The TV's words drawn on the stream's own screen, for the sinks where no
// card window can go over it (KMS holds the display for one process; a fake
// sink has no window, and its `view` snapshots are what the TV shows).
//
// Words matter most when the stream has no frame to draw them on: while it
// connects, after a drop, while it is paused (then the pipeline is PAUSED
// and its sink takes no new frame). So the screen's end of the pipeline
// (words, wordsconv, screen, vsink: see gst-pipelines/live.pipeline) is
// taken out of the pipeline's state changes and kept PLAYING, screengate is
// closed against the stream's frames, and the card (drawn by a card process
// with the last picture under it) is pushed as one RGBA frame, shown at once
// (no clock wait). When the stream's frames are wanted again the gate opens
// and the end is given back to the pipeline, whose next state change takes
// it along.
import type { GstElement, GstPipeline } from './binding';
import type { RenderWatch } from './watches/render-watch';

/** The elements that stay PLAYING while the words show, sink last. */
const END = ['words', 'wordsconv', 'screen', 'vsink'] as const;

interface Holdable extends GstElement {
  holdState(state: 'PLAYING'): string;
  releaseState(sync: boolean): boolean;
}

export class ScreenWords {
  private shown = false;
  /** The stream's picture on the sink when the words came (its `last-sample`), for the backdrop and `stream` snapshots. */
  private streamSample: unknown = null;
  private syncWas: unknown = true;
  /** hide() left the sink off the clock until resync(). */
  private unsynced = false;

  constructor(
    private readonly pipeline: Pick<GstPipeline, 'findChild'>,
    private readonly renders: Pick<RenderWatch, 'freeze' | 'thaw'>,
  ) {}

  /** Whether this pipeline has the screen's end (a description without it shows words by other means). */
  get available(): boolean {
    return END.every((n) => typeof (this.pipeline.findChild(n) as Partial<Holdable> | null)?.holdState === 'function') && this.pipeline.findChild('screengate') !== null;
  }

  get showing(): boolean {
    return this.shown;
  }

  /** Shows `rgba` (the whole screen, width x height) instead of the stream's picture until hide(). */
  show(rgba: Buffer, width: number, height: number): void {
    if (!(width > 0 && height > 0) || rgba.length !== width * height * 4) throw new Error(`a ${width}x${height} card needs ${width * height * 4} bytes, not ${rgba.length}`);
    const words = this.pipeline.findChild('words');
    const vsink = this.pipeline.findChild('vsink');
    const gate = this.pipeline.findChild('screengate');
    if (!words?.push || !vsink || !gate) throw new Error('the pipeline has no screen end for words');
    if (!this.shown) {
      this.streamSample = vsink['last-sample'] ?? null;
      // The sink counts the words' frames as rendered: the session's picture checks must not.
      this.renders.freeze();
      gate.drop = true;
      // A sink still unsynced after the last words (see hide) keeps the value it had before them.
      if (!this.unsynced) this.syncWas = vsink.sync;
      this.unsynced = false;
      vsink.sync = false;
      for (const name of END) (this.pipeline.findChild(name) as Holdable).holdState('PLAYING');
      this.shown = true;
    }
    words.caps = `video/x-raw,format=RGBA,width=${width},height=${height},framerate=0/1`;
    words.push(rgba);
  }

  /**
   * The stream's frames go to the sink again. `follow`: 'pipeline' when the
   * caller sets the pipeline's state next (the end joins that change);
   * 'now' to take the pipeline's current state at once. `blank`: a black
   * frame first, where no picture of the stream will follow (no video).
   * `unsynced`: the sink stays off the clock until resync(), for the first
   * picture of a start: the sink played the words, so it prerolls no frame
   * of the stream, and on the clock it held the first one for the whole
   * pipeline latency (measured: minCache, 1 s, more words on the screen
   * before the picture than a start without words shows).
   */
  hide(follow: 'pipeline' | 'now', blank = false, unsynced = false): void {
    if (!this.shown) return;
    this.shown = false;
    this.streamSample = null;
    const vsink = this.pipeline.findChild('vsink');
    const gate = this.pipeline.findChild('screengate');
    const words = this.pipeline.findChild('words');
    if (blank && words?.push) {
      const size = /width=\(int\)(\d+), height=\(int\)(\d+)/.exec(String(words.caps));
      if (size) words.push(Buffer.alloc(Number(size[1]) * Number(size[2]) * 4));
    }
    if (vsink && !unsynced) vsink.sync = this.syncWas;
    this.unsynced = unsynced;
    if (gate) gate.drop = false;
    for (const name of END) (this.pipeline.findChild(name) as Holdable | null)?.releaseState(follow === 'now');
    this.renders.thaw();
  }

  /** The sink back on the clock after an unsynced hide(): the first picture is shown, the next ones keep their time. */
  resync(): void {
    if (!this.unsynced || this.shown) return;
    this.unsynced = false;
    const vsink = this.pipeline.findChild('vsink');
    if (vsink) vsink.sync = this.syncWas;
  }

  /**
   * What to read for the stream's last picture: the sink itself, or while
   * the words show, the picture it showed before them.
   */
  streamPicture(): GstElement | null {
    if (this.shown) return { 'last-sample': this.streamSample };
    return this.pipeline.findChild('vsink');
  }
}

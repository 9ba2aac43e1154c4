// Sets the geometry elements of a running pipeline (worker side). Every
// change is made while playing: caps of a capsfilter, videobox borders and
// aspectratiocrop's ratio renegotiate downstream by themselves, and the turn
// switches which rotation valve is open (see gst-pipelines/live.pipeline).
import { ROTATION_VALVES, settingsFor, type GeometrySettings, type ScalePath, type Size, type ViewGeometry } from '../../player/view';
import type { GstElement, GstPipeline } from './binding';

const GEOMETRY_ELEMENTS = [...ROTATION_VALVES, 'fitcrop', 'fitsize', 'place'] as const;

/** One per pipeline: remembers what is set, because setting an unchanged value still costs a renegotiation. */
export class GeometryApplier {
  private last: GeometrySettings | null = null;
  private readonly el: Record<string, GstElement> = {};

  constructor(pipeline: GstPipeline) {
    for (const name of GEOMETRY_ELEMENTS) {
      const e = pipeline.findChild(name);
      if (!e) throw new Error(`pipeline has no geometry element "${name}"`);
      this.el[name] = e;
    }
  }

  /** The worker calls it before play and on every `geometry` message. */
  apply(view: ViewGeometry, screen: Size, scale: ScalePath, place: boolean): GeometrySettings {
    const s = settingsFor(view, screen, scale, place);
    const last = this.last;
    const el = this.el;
    // aspectratiocrop re-sends its current input caps whenever its ratio is
    // set (see live.pipeline for why the turn comes after it).
    if (last?.cropAspect !== s.cropAspect) el.fitcrop!['aspect-ratio'] = s.cropAspect;
    if (last?.fitCaps !== s.fitCaps) el.fitsize!.caps = s.fitCaps;
    for (const side of ['left', 'right', 'top', 'bottom'] as const) {
      if (last?.place[side] !== s.place[side]) el.place![side] = s.place[side];
    }
    if (last?.openValve !== s.openValve) {
      // Close before opening: never two branches at once (turned and upright frames would interleave).
      for (const v of ROTATION_VALVES) if (v !== s.openValve) el[v]!.drop = true;
      el[s.openValve]!.drop = false;
    }
    this.last = s;
    return s;
  }
}

// Where and how the picture is shown: from the player's view state (full
// screen and direction, picture-in-picture, orientation, objectFit) and the
// configured layout to the settings of the pipeline's geometry elements.
// Pure functions: the daemon computes the view, the worker turns it into
// element properties, and unit tests check both without GStreamer.
import type { SessionOptions } from './engine';

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** The TV screen and where the windowed and PiP pictures sit on it (from configuration). */
export interface ScreenLayout {
  screen: Size;
  window: Size & Point;
  pip: Size & Point;
}

/** The screen of a 1080p TV; the window keeps the spec's 300x225 proportion at twice its size. */
export const SCREEN: Size = { width: 1920, height: 1080 };
export const WINDOW_SIZE: Size = { width: 600, height: 450 };
export const PIP_SIZE: Size = { width: 480, height: 360 };
const PIP_MARGIN = 48;

/** The window centred, PiP in the bottom-right corner: the layout when configuration says nothing. */
export function defaultLayout(): ScreenLayout {
  return layoutAt(
    { x: (SCREEN.width - WINDOW_SIZE.width) / 2, y: (SCREEN.height - WINDOW_SIZE.height) / 2 },
    { x: SCREEN.width - PIP_SIZE.width - PIP_MARGIN, y: SCREEN.height - PIP_SIZE.height - PIP_MARGIN },
  );
}

/** The layout on a screen of `screen` pixels (the display's own size; 1920x1080 when unknown). */
export function layoutAt(window: Point, pip: Point, screen: Size = SCREEN): ScreenLayout {
  return { screen: { ...screen }, window: { ...WINDOW_SIZE, ...window }, pip: { ...PIP_SIZE, ...pip } };
}

/** "X,Y" as configuration writes it (the schema has checked the form), or null. */
export function parsePoint(text: string): Point | null {
  const m = /^(\d{1,4}),(\d{1,4})$/.exec(text);
  return m ? { x: Number(m[1]), y: Number(m[2]) } : null;
}

/** Why a configured position cannot be used (the box would leave the screen), or null. */
export function placementProblem(what: string, at: Point, box: Size, screen: Size = SCREEN): string | null {
  if (at.x + box.width > screen.width || at.y + box.height > screen.height) {
    return `${what} puts the ${box.width}x${box.height} picture outside the ${screen.width}x${screen.height} screen (x at most ${screen.width - box.width}, y at most ${screen.height - box.height})`;
  }
  return null;
}

/** How the picture is shown now: a box on the screen, a turn, a fit. Plain data: it crosses to the worker. */
export interface ViewGeometry {
  box: Size & Point;
  /** 90 = counter-clockwise (the spec's screen turned 90°), -90 = clockwise. */
  rotate: 0 | 90 | -90;
  fit: 'contain' | 'fillCrop';
}

/** Full screen turned by `direction`, else PiP or the window turned by `orientation`. */
export function viewFor(opts: SessionOptions, layout: ScreenLayout): ViewGeometry {
  const { fullScreen, pictureInPicture, attributes } = opts;
  const box = fullScreen.fullScreen ? { ...layout.screen, x: 0, y: 0 } : pictureInPicture ? layout.pip : layout.window;
  const rotate = fullScreen.fullScreen ? fullScreen.direction : attributes.orientation === 'horizontal' ? 90 : 0;
  return { box: { ...box }, rotate, fit: attributes.objectFit };
}

export function sameView(a: ViewGeometry, b: ViewGeometry): boolean {
  return a.rotate === b.rotate && a.fit === b.fit && a.box.x === b.box.x && a.box.y === b.box.y && a.box.width === b.box.width && a.box.height === b.box.height;
}

/**
 * Who scales and places the picture: `pipeline` does it in software
 * (videoscale into the box, videobox borders place the box on a screen-sized
 * frame); `plane` leaves scaling to the display plane (kmssink scales for
 * free) when the box is the whole screen. The binding cannot set kmssink's
 * `render-rectangle`, so a smaller box (window, PiP) on a plane sink that
 * places is scaled and placed in the pipeline: a CPU cost in those modes only.
 */
export type ScalePath = 'pipeline' | 'plane';

/** Property values for the named geometry elements of gst-pipelines/live|rtc.pipeline. */
export interface GeometrySettings {
  /** Which rotation valve is open: rot0 (upright), rotl (counter-clockwise), rotr (clockwise). */
  openValve: 'rot0' | 'rotl' | 'rotr';
  /** aspectratiocrop `aspect-ratio`: 0 keeps the whole picture (contain), else the box's ratio (fillCrop). */
  cropAspect: number;
  /** capsfilter `fitsize` caps; built from numbers only. */
  fitCaps: string;
  /** videobox `place` borders (negative: black added around the box), all 0 when nothing places it. */
  place: { left: number; right: number; top: number; bottom: number };
}

export const ROTATION_VALVES = ['rot0', 'rotl', 'rotr'] as const;

/**
 * The element settings for a view. `place` is false for a sink that shows
 * nothing (fakesink): composing a screen-sized frame nobody sees costs CPU.
 */
export function settingsFor(view: ViewGeometry, screen: Size, path: ScalePath, place: boolean): GeometrySettings {
  const openValve = view.rotate === 90 ? 'rotl' : view.rotate === -90 ? 'rotr' : 'rot0';
  const { box } = view;
  // The fit happens before the turn, so a turned box is fitted upright: a
  // 600x450 window shown turned takes a 450x600 picture that is then turned.
  const upright = view.rotate === 0 ? { width: box.width, height: box.height } : { width: box.height, height: box.width };
  const cropAspect = view.fit === 'fillCrop' ? upright.width / upright.height : 0;
  const wholeScreen = box.x === 0 && box.y === 0 && box.width === screen.width && box.height === screen.height;
  if (path === 'plane' && (wholeScreen || !place)) {
    return { openValve, cropAspect, fitCaps: 'video/x-raw,pixel-aspect-ratio=1/1', place: { left: 0, right: 0, top: 0, bottom: 0 } };
  }
  const fitCaps = `video/x-raw,width=${int(upright.width)},height=${int(upright.height)},pixel-aspect-ratio=1/1`;
  const borders = place
    ? { left: -box.x, top: -box.y, right: -(screen.width - box.x - box.width), bottom: -(screen.height - box.y - box.height) }
    : { left: 0, right: 0, top: 0, bottom: 0 };
  return { openValve, cropAspect, fitCaps, place: borders };
}

function int(n: number): number {
  if (!Number.isInteger(n) || n <= 0 || n > 16384) throw new Error(`bad picture dimension ${n}`);
  return n;
}

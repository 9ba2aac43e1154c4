// The view (which box, which turn, which fit) from the player's state and the
// layout, and the element settings the worker applies for it: a table of
// cases, no GStreamer. The pixels are checked in test/integration/geometry-*.
import t from 'tap';
import { defaultLayout, layoutAt, sameView, settingsFor, viewFor, SCREEN } from '../../../src/player/view';
import { DEFAULT_ATTRIBUTES } from '../../../src/player/attributes';
import type { SessionOptions } from '../../../src/player/engine';

const opts = (o: { fs?: boolean; dir?: 0 | 90 | -90; pip?: boolean; orientation?: 'vertical' | 'horizontal'; fit?: 'contain' | 'fillCrop' }): SessionOptions => ({
  attributes: { ...DEFAULT_ATTRIBUTES, orientation: o.orientation ?? 'vertical', objectFit: o.fit ?? 'contain' },
  fullScreen: { fullScreen: o.fs ?? false, direction: o.dir ?? 0 },
  pictureInPicture: o.pip ?? false,
  audioMuted: false,
});

t.test('which box, turn and fit a state shows', async (tt) => {
  const layout = layoutAt({ x: 100, y: 80 }, { x: 1400, y: 700 });
  const cases: [string, SessionOptions, unknown][] = [
    ['window at its configured place', opts({}), { box: { x: 100, y: 80, width: 600, height: 450 }, rotate: 0, fit: 'contain' }],
    ['orientation horizontal turns the window 90° counter-clockwise', opts({ orientation: 'horizontal' }), { box: { width: 600 }, rotate: 90 }],
    ['full screen takes the whole screen', opts({ fs: true, fit: 'fillCrop' }), { box: { x: 0, y: 0, width: 1920, height: 1080 }, rotate: 0, fit: 'fillCrop' }],
    ['full screen -90 turns clockwise', opts({ fs: true, dir: -90 }), { rotate: -90 }],
    ['full screen direction wins over orientation', opts({ fs: true, dir: 0, orientation: 'horizontal' }), { rotate: 0 }],
    ['full screen wins over PiP', opts({ fs: true, pip: true }), { box: { width: 1920 } }],
    ['PiP is the small corner box', opts({ pip: true }), { box: { x: 1400, y: 700, width: 480, height: 360 } }],
  ];
  for (const [about, o, want] of cases) tt.match(viewFor(o, layout), want, about);
});

t.test('default layout: window centred, PiP bottom-right', async (tt) => {
  tt.same(defaultLayout(), { screen: SCREEN, window: { width: 600, height: 450, x: 660, y: 315 }, pip: { width: 480, height: 360, x: 1392, y: 672 } });
});

t.test('element settings per view', async (tt) => {
  const layout = layoutAt({ x: 100, y: 80 }, { x: 1400, y: 700 });
  const win = viewFor(opts({}), layout);
  tt.same(settingsFor(win, SCREEN, 'pipeline', true), {
    openValve: 'rot0',
    cropAspect: 0,
    fitCaps: 'video/x-raw,width=600,height=450,pixel-aspect-ratio=1/1',
    place: { left: -100, top: -80, right: -1220, bottom: -550 },
  }, 'window: contain (no crop), scaled to 600x450, 100 px of black left, 80 above');
  tt.match(settingsFor(win, SCREEN, 'pipeline', false), { place: { left: 0, right: 0, top: 0, bottom: 0 } }, 'fakesink: nothing placed');
  const turned = viewFor(opts({ orientation: 'horizontal', fit: 'fillCrop' }), layout);
  tt.match(settingsFor(turned, SCREEN, 'pipeline', true), { openValve: 'rotl', fitCaps: 'video/x-raw,width=450,height=600,pixel-aspect-ratio=1/1', cropAspect: 450 / 600 }, 'turned: fitted upright (450x600), then turned into the 600x450 box');
  tt.match(settingsFor(viewFor(opts({ fs: true, dir: -90 }), layout), SCREEN, 'pipeline', true), { openValve: 'rotr', place: { left: -0, right: -0, top: -0, bottom: -0 } });
  tt.same(settingsFor(viewFor(opts({ fs: true, fit: 'fillCrop' }), layout), SCREEN, 'plane', false), {
    openValve: 'rot0',
    cropAspect: 1920 / 1080,
    fitCaps: 'video/x-raw,pixel-aspect-ratio=1/1',
    place: { left: 0, right: 0, top: 0, bottom: 0 },
  }, 'KMS plane: no software scale or placement, the crop of fillCrop still applies');
  tt.same(settingsFor(viewFor(opts({ fs: true, dir: 90 }), layout), SCREEN, 'plane', true), {
    openValve: 'rotl',
    cropAspect: 0,
    fitCaps: 'video/x-raw,pixel-aspect-ratio=1/1',
    place: { left: 0, right: 0, top: 0, bottom: 0 },
  }, 'KMS plane, full screen turned: still the plane scales');
  tt.same(settingsFor(win, SCREEN, 'plane', true), {
    openValve: 'rot0',
    cropAspect: 0,
    fitCaps: 'video/x-raw,width=600,height=450,pixel-aspect-ratio=1/1',
    place: { left: -100, top: -80, right: -1220, bottom: -550 },
  }, 'KMS plane, window: scaled and placed on a screen-sized frame in software (render-rectangle cannot be set)');
  tt.match(settingsFor(viewFor(opts({ pip: true }), layout), SCREEN, 'plane', true), {
    fitCaps: 'video/x-raw,width=480,height=360,pixel-aspect-ratio=1/1',
    place: { left: -1400, top: -700, right: -40, bottom: -20 },
  }, 'KMS plane, PiP: the corner box placed in software');
});

t.test('a box that is not a positive whole size is refused, not put into caps', async (tt) => {
  const bad = { box: { x: 0, y: 0, width: 600.5, height: 450 }, rotate: 0 as const, fit: 'contain' as const };
  tt.throws(() => settingsFor(bad, SCREEN, 'pipeline', true), /bad picture dimension/);
});

t.test('sameView tells a change from a repeat', async (tt) => {
  const l = defaultLayout();
  tt.ok(sameView(viewFor(opts({}), l), viewFor(opts({}), l)));
  tt.notOk(sameView(viewFor(opts({}), l), viewFor(opts({ fit: 'fillCrop' }), l)));
  tt.notOk(sameView(viewFor(opts({}), l), viewFor(opts({ pip: true }), l)));
});

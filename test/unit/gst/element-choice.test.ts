// Decoder and sink selection on a machine without any hardware decoder, and
// with each decoder made available in turn, so the Pi's paths are covered
// here too. Pure functions: availability is passed in.
import t from 'tap';
import { chooseAudioSink, chooseDecoder, chooseGeometry, chooseVideoSink, decoderDescription, PLACE_CAPS_AS_BEFORE, PLACE_CAPS_WITHOUT_ALPHA, placeCaps, softwareDecoder, videoSinkDescription, wordsOnScreen } from '../../../src/gst/element-choice';
import { probeFactories } from '../../../src/gst/control/probe';

const has = (...f: string[]) => (x: string) => f.includes(x);

t.test('decoder selection table', async (tt) => {
  const cases: [string, Parameters<typeof chooseDecoder>[0], string[], unknown][] = [
    ['auto on this x86 machine: software, with the 2106 reason', 'auto', ['avdec_h264'], { ok: true, kind: 'software', fallback: 'v4l2h264dec and omxh264dec unavailable' }],
    ['auto on a Pi 4: V4L2, no fallback', 'auto', ['v4l2h264dec', 'avdec_h264'], { ok: true, kind: 'v4l2', fallback: undefined }],
    ['auto on a legacy OMX image', 'auto', ['omxh264dec', 'avdec_h264'], { ok: true, kind: 'omx' }],
    ['auto prefers V4L2 over OMX', 'auto', ['omxh264dec', 'v4l2h264dec', 'avdec_h264'], { ok: true, kind: 'v4l2' }],
    ['forced v4l2 without it: a clear error', 'v4l2', ['avdec_h264'], { ok: false, error: /v4l2h264dec/ }],
    ['forced omx without it', 'omx', ['avdec_h264'], { ok: false, error: /omxh264dec/ }],
    ['forced software', 'software', ['v4l2h264dec', 'avdec_h264'], { ok: true, kind: 'software', fallback: undefined }],
    ['nothing at all', 'auto', [], { ok: false, error: /gstreamer1.0-libav/ }],
  ];
  for (const [about, pref, avail, want] of cases) tt.match(chooseDecoder(pref, has(...avail)), want, about);
});

t.test('this machine really has no hardware decoder, and has the software one', async (tt) => {
  const found = await probeFactories(['v4l2h264dec', 'omxh264dec', 'avdec_h264']);
  tt.same([...found], ['avdec_h264']);
  tt.match(chooseDecoder('auto', (f) => found.has(f)), { kind: 'software' });
  tt.match(chooseDecoder('v4l2', (f) => found.has(f)), { ok: false });
});

t.test('sink selection', async (tt) => {
  const none = { env: {}, exists: () => false };
  tt.equal(chooseVideoSink('auto', { env: {}, exists: (p) => p === '/dev/dri/card0' }), 'kms', 'a board without a display server: KMS');
  tt.equal(chooseVideoSink('auto', { env: { DISPLAY: ':0' }, exists: () => true }), 'x');
  tt.equal(chooseVideoSink('auto', { env: { WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' }, exists: () => true }), 'wayland');
  tt.equal(chooseVideoSink('auto', none), 'fake', 'no display at all: decode and render nowhere');
  tt.equal(chooseVideoSink('gl', none), 'gl', 'a forced choice is kept');
  tt.equal(chooseAudioSink('auto', { env: {}, exists: (p) => p === '/dev/snd' }), 'alsa');
  tt.equal(chooseAudioSink('auto', { env: { PULSE_SERVER: 'unix:/x' }, exists: () => true }), 'pulse');
  tt.equal(chooseAudioSink('auto', none), 'fake');
});

t.test('geometry path per sink: who turns, scales and places the picture', async (tt) => {
  const software = { rotateLeft: 'videoflip video-direction=90l', rotateRight: 'videoflip video-direction=90r', scale: 'pipeline' };
  tt.same(chooseGeometry('x', has()), { ...software, place: true }, 'X: software, the box placed on a screen-sized frame');
  tt.same(chooseGeometry('gl', has()), { ...software, place: true });
  tt.same(chooseGeometry('wayland', has()), { ...software, place: true });
  tt.same(chooseGeometry('fake', has()), { ...software, place: false }, 'fakesink shows nothing: nothing to place');
  tt.same(chooseGeometry('kms', has('v4l2convert')), {
    rotateLeft: 'v4l2convert extra-controls=c,rotate=270',
    rotateRight: 'v4l2convert extra-controls=c,rotate=90',
    scale: 'plane',
    place: true,
  }, 'Pi with KMS: the ISP turns (V4L2_CID_ROTATE is clockwise), the plane scales, window and PiP are placed');
  tt.same(chooseGeometry('kms', has()), { ...software, scale: 'plane', place: true }, 'KMS without the V4L2 converter: videoflip turns, the plane still scales');
});

t.test('the failing test decoder: only `auto` with the hook picks it, as hardware', async (tt) => {
  const hook = { failingTestDecoder: true };
  tt.match(chooseDecoder('auto', has('avdec_h264'), hook), { ok: true, kind: 'failing-test', hardware: true, fallback: undefined }, 'auto + hook: the failing decoder first');
  tt.match(chooseDecoder('auto', has('v4l2h264dec', 'avdec_h264'), hook), { kind: 'failing-test' }, 'before a real hardware decoder too');
  tt.match(chooseDecoder('auto', has('avdec_h264')), { kind: 'software', hardware: false }, 'no hook: never');
  tt.match(chooseDecoder('auto', has('avdec_h264'), { failingTestDecoder: false }), { kind: 'software' });
  tt.match(chooseDecoder('software', has('avdec_h264'), hook), { kind: 'software' }, 'a forced software choice stays software');
  tt.match(chooseDecoder('v4l2', has('v4l2h264dec', 'avdec_h264'), hook), { kind: 'v4l2' }, 'a forced hardware choice is kept');
  tt.match(chooseDecoder('auto', has(), hook), { ok: false }, 'it needs avdec_h264 like software does');
  tt.match(chooseDecoder('auto', has('v4l2h264dec', 'avdec_h264')), { kind: 'v4l2', hardware: true });
  tt.match(chooseDecoder('omx', has('omxh264dec')), { kind: 'omx', hardware: true });
});

t.test('the switch after a hardware failure (2108) goes to software, or says why it cannot', async (tt) => {
  tt.match(softwareDecoder(has('v4l2h264dec', 'avdec_h264')), { ok: true, kind: 'software', hardware: false, fallback: undefined });
  tt.match(softwareDecoder(has('v4l2h264dec')), { ok: false, error: /gstreamer1.0-libav/ });
});

t.test('decoder descriptions that fill {{video_decoder}}', async (tt) => {
  const d = (kind: Parameters<typeof chooseDecoder>[0], hook = false) => {
    const c = chooseDecoder(kind, has('v4l2h264dec', 'omxh264dec', 'avdec_h264'), { failingTestDecoder: hook });
    if (!c.ok) throw new Error(c.error);
    return decoderDescription(c);
  };
  tt.equal(d('software'), 'avdec_h264 thread-type=slice', 'software: slice threads only');
  tt.equal(d('v4l2'), 'v4l2h264dec');
  tt.equal(d('auto', true), 'avdec_h264 thread-type=slice ! identity error-after=1', 'the test decoder errors after its first picture; name=vdec lands on the identity');
});

t.test('the caps after videobox leave out alpha, except for the GL and Wayland sinks', async (tt) => {
  for (const kind of ['fake', 'x', 'kms'] as const) {
    const caps = placeCaps(videoSinkDescription(kind));
    tt.equal(caps, PLACE_CAPS_WITHOUT_ALPHA, `${kind}: no alpha formats`);
    tt.notMatch(caps ?? '', /AYUV|ARGB|RGBA|BGRA|ABGR/, `${kind}: none of videobox's alpha formats`);
    tt.match(caps ?? '', /I420/, `${kind}: the software decoder's I420 passes`);
    tt.match(caps ?? '', /NV12/, `${kind}: a V4L2 decoder's NV12 passes`);
  }
  tt.equal(placeCaps(videoSinkDescription('gl')), PLACE_CAPS_AS_BEFORE, 'glimagesink: AYUV, as videobox chose by itself');
  tt.equal(placeCaps(videoSinkDescription('wayland')), PLACE_CAPS_AS_BEFORE, 'waylandsink: AYUV, as videobox chose by itself');
});

t.test("the TV's words go on the stream's own screen on KMS and the fake sink only", async (tt) => {
  tt.same(
    (['kms', 'fake', 'x', 'gl', 'wayland'] as const).map((k) => [k, wordsOnScreen(k)]),
    [['kms', true], ['fake', true], ['x', false], ['gl', false], ['wayland', false]],
  );
});

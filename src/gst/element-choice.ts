// Which decoder and sinks a pipeline gets. The only strings that fill the
// placeholders of gst-pipelines/*.pipeline come from these tables, never from
// a user. Pure functions: the availability probe is passed in, so the
// selection logic is tested on a machine without any hardware decoder.

import type { AudioSinkPref, DecoderPref, VideoSinkPref } from '../config/schema';

export type { AudioSinkPref, DecoderPref, VideoSinkPref };

/** Element factory per decoder choice, hardware first in the order `auto` tries them. */
export const DECODERS = {
  v4l2: 'v4l2h264dec', // Pi 3/4 (bcm2835-codec / stateful V4L2 M2M)
  omx: 'omxh264dec', // legacy Raspberry Pi OS images with gst-omx
  software: 'avdec_h264', // libav; the Pi 5 has no H.264 decoder block at all
} as const;

const HARDWARE_ORDER = ['v4l2', 'omx'] as const;

export const VIDEO_SINKS = {
  kms: 'kmssink',
  gl: 'glimagesink',
  x: 'ximagesink',
  wayland: 'waylandsink',
  fake: 'fakesink',
} as const;

export const AUDIO_SINKS = {
  alsa: 'alsasink',
  pulse: 'pulsesink',
  fake: 'fakesink',
} as const;

export type DecoderKind = keyof typeof DECODERS | 'failing-test';

/**
 * Test hook: with this variable set to 1, `auto` first picks a "hardware"
 * decoder that decodes in software and then fails on the first picture, so
 * the switch to software (2108) can be tested on a machine without any
 * hardware decoder. Nothing else selects it; the daemon warns when it is on.
 */
export const FAILING_TEST_DECODER_ENV = 'LIVEPLAYER_TEST_FAILING_DECODER';

/**
 * Test hook: when this variable names a file that exists, the first TV card
 * process to see it deletes it and never pushes a frame, as a card process
 * whose pipeline stalls would, so that its recovery can be tested. Nothing
 * else sets it; the daemon warns when it is on.
 */
export const STUCK_CARD_TEST_ENV = 'LIVEPLAYER_TEST_STUCK_CARD';

/**
 * The failing test decoder: identity errors on its first buffer, which is the
 * picture decoded from the first key frame. `name=vdec` lands on the identity,
 * so the error comes from vdec as a real hardware decoder's would.
 */
const FAILING_TEST_DECODER = 'avdec_h264 thread-type=slice ! identity error-after=1';

export type DecoderChoice =
  | { ok: true; kind: DecoderKind; element: string; hardware: boolean; fallback?: string }
  | { ok: false; error: string };

export interface DecoderTestHooks {
  failingTestDecoder?: boolean;
}

const choice = (kind: DecoderKind, fallback?: string): DecoderChoice => ({
  ok: true,
  kind,
  element: kind === 'failing-test' ? DECODERS.software : DECODERS[kind],
  hardware: kind !== 'software',
  ...(fallback ? { fallback } : {}),
});

/**
 * `auto` tries the hardware decoders, then software and says why in
 * `fallback` (the 2106 message); a forced choice that is missing is an error.
 */
export function chooseDecoder(pref: DecoderPref, available: (factory: string) => boolean, hooks: DecoderTestHooks = {}): DecoderChoice {
  if (pref !== 'auto') {
    const element = DECODERS[pref];
    if (available(element)) return choice(pref);
    return { ok: false, error: `decoder "${pref}" needs the GStreamer element ${element}, which this board does not have` };
  }
  if (hooks.failingTestDecoder && available(DECODERS.software)) return choice('failing-test');
  const missing: string[] = [];
  for (const kind of HARDWARE_ORDER) {
    if (available(DECODERS[kind])) return choice(kind);
    missing.push(DECODERS[kind]);
  }
  return softwareDecoder(available, `${missing.join(' and ')} unavailable`);
}

/** The decoder a session switches to when the hardware one failed on the first key frame (2108). */
export function softwareDecoder(available: (factory: string) => boolean, fallback?: string): DecoderChoice {
  if (!available(DECODERS.software)) return { ok: false, error: 'no H.264 decoder at all (install gstreamer1.0-libav)' };
  return choice('software', fallback);
}

/** The text that fills {{video_decoder}}. */
export function decoderDescription(dec: Extract<DecoderChoice, { ok: true }>): string {
  if (dec.kind === 'failing-test') return FAILING_TEST_DECODER;
  // Slice threads only: frame threading holds the first picture back by a
  // frame interval (measured: 54-59 ms after the key frame, 27-30 ms without).
  return dec.kind === 'software' ? `${dec.element} thread-type=slice` : dec.element;
}

export interface DisplayProbe {
  env: Record<string, string | undefined>;
  /** Whether a path exists (e.g. /dev/dri/card0). */
  exists: (path: string) => boolean;
}

/** `auto` follows the display server if there is one, else KMS straight to the panel; fake when no display exists at all. */
export function chooseVideoSink(pref: VideoSinkPref, probe: DisplayProbe): keyof typeof VIDEO_SINKS {
  if (pref !== 'auto') return pref;
  if (probe.env.WAYLAND_DISPLAY) return 'wayland';
  if (probe.env.DISPLAY) return 'x';
  if (probe.exists('/dev/dri/card0') || probe.exists('/dev/dri/card1')) return 'kms';
  return 'fake';
}

export function chooseAudioSink(pref: AudioSinkPref, probe: DisplayProbe): keyof typeof AUDIO_SINKS {
  if (pref !== 'auto') return pref;
  if (probe.env.PULSE_SERVER || (probe.env.XDG_RUNTIME_DIR && probe.exists(`${probe.env.XDG_RUNTIME_DIR}/pulse/native`))) return 'pulse';
  if (probe.exists('/dev/snd')) return 'alsa';
  return 'fake';
}

/**
 * Who does each geometry transform, per video sink (see README, design notes).
 * Software: videoflip turns, aspectratiocrop + videoscale fit into the box,
 * videobox places the box on a screen-sized frame (X, GL and Wayland windows
 * are the whole screen; fakesink shows nothing, so nothing is placed). KMS:
 * in full screen the display plane scales (kmssink can-scale, no CPU per
 * pixel); window and PiP are scaled and placed in software like X; the Pi's
 * ISP turns through v4l2convert when the board has it.
 */
export interface GeometryPath {
  rotateLeft: string;
  rotateRight: string;
  scale: 'pipeline' | 'plane';
  place: boolean;
}

// V4L2_CID_ROTATE turns clockwise. GStreamer 1.22.0's videoflip ignores the deprecated `method` in a
// description (measured: caps stay unturned); `video-direction` works.
const SOFTWARE_TURN = { rotateLeft: 'videoflip video-direction=90l', rotateRight: 'videoflip video-direction=90r' };

export function chooseGeometry(sink: keyof typeof VIDEO_SINKS, available: (factory: string) => boolean): GeometryPath {
  if (sink === 'kms') {
    const turn = available('v4l2convert')
      ? { rotateLeft: 'v4l2convert extra-controls=c,rotate=270', rotateRight: 'v4l2convert extra-controls=c,rotate=90' }
      : SOFTWARE_TURN;
    // Full screen: the plane scales. Window and PiP: placed in software on a
    // screen-sized frame (see ScalePath), since render-rectangle is out of reach.
    return { ...turn, scale: 'plane', place: true };
  }
  return { ...SOFTWARE_TURN, scale: 'pipeline', place: sink !== 'fake' };
}

/**
 * The element description that fills {{video_sink}}: a stream's sink
 * synchronises to the clock; the TV's cards (still pictures pushed when
 * their words change) are shown the moment they arrive.
 */
export function videoSinkDescription(kind: keyof typeof VIDEO_SINKS, sync = true): string {
  // A Wayland client cannot place its window: on a TV the compositor is asked
  // to make it fill the screen (it scales the frame to the output).
  return `${VIDEO_SINKS[kind]} sync=${sync}${kind === 'wayland' ? ' fullscreen=true' : ''}`;
}

/** videobox's formats without alpha: with these it passes a decoder's YUV through instead of converting each frame to AYUV. */
export const PLACE_CAPS_WITHOUT_ALPHA =
  'video/x-raw,format=(string){I420,YV12,NV12,NV21,Y444,Y42B,Y41B,YUY2,YVYU,UYVY,xRGB,BGRx,xBGR,RGBx,RGB,BGR,GRAY8,GRAY16_LE,GRAY16_BE}';

/** What videobox negotiated before `placecaps` existed: its first format, whatever it is given. */
export const PLACE_CAPS_AS_BEFORE = 'video/x-raw,format=AYUV';

/**
 * The caps of `placecaps` (after `videobox name=place`) for a {{video_sink}}
 * description. Only glimagesink and waylandsink keep AYUV, as they had it
 * before: with glimagesink and the formats without alpha, a paused lesson on
 * a loaded machine grew the worker past its memory bound (306-322 MiB in 3
 * of 3 runs, 0 of 3 without), and waylandsink is checked here only on a
 * headless compositor. An empty capsfilter is no neutral choice either: it
 * alone makes videobox pass I420 through (measured), so AYUV is set outright.
 */
export function placeCaps(videoSink: string): string {
  const factory = videoSink.split(' ', 1)[0];
  return factory === VIDEO_SINKS.gl || factory === VIDEO_SINKS.wayland ? PLACE_CAPS_AS_BEFORE : PLACE_CAPS_WITHOUT_ALPHA;
}

/**
 * Whether cards can show over a media session's picture: each is a window of
 * its own at the top left, which X places where it is asked. KMS holds the
 * display for one process, and a Wayland client cannot place a window.
 */
export function overlaysOver(kind: keyof typeof VIDEO_SINKS): boolean {
  return kind !== 'kms' && kind !== 'wayland';
}

/**
 * Whether the TV's words go on a media session's own screen while it has no
 * moving picture (the [words] lines of the pipeline descriptions): where no
 * card window can go over it (KMS), and on the fake sink, whose `view`
 * snapshots are then what such a screen shows. Wayland's compositor shows
 * full-screen card windows over the stream instead.
 */
export function wordsOnScreen(kind: keyof typeof VIDEO_SINKS): boolean {
  return kind === 'kms' || kind === 'fake';
}

/**
 * The audio sink never holds up preroll (async=false): a stream without audio
 * must still show its first frame, and video alone decides when playing starts.
 */
export function audioSinkDescription(kind: keyof typeof AUDIO_SINKS): string {
  return `${AUDIO_SINKS[kind]} sync=true async=false`;
}

// Every option of the contract's command line in one schema, with the flag
// and environment name each comes from. Validated once at start.
import { Type, type Static } from '@sinclair/typebox';

/** The choices of decoder and sinks; src/gst/element-choice.ts maps each to its elements. */
export const DECODER_PREFS = ['auto', 'v4l2', 'omx', 'software'] as const;
export const VIDEO_SINK_PREFS = ['auto', 'kms', 'gl', 'x', 'wayland', 'fake'] as const;
export const AUDIO_SINK_PREFS = ['auto', 'alsa', 'pulse', 'fake'] as const;
export type DecoderPref = (typeof DECODER_PREFS)[number];
export type VideoSinkPref = (typeof VIDEO_SINK_PREFS)[number];
export type AudioSinkPref = (typeof AUDIO_SINK_PREFS)[number];

export const ConfigSchema = Type.Object(
  {
    http: Type.String({ pattern: '^(off|\\[?[0-9A-Za-z.:-]*\\]?:[0-9]{1,5})$' }),
    dbus: Type.Union([Type.Literal('system'), Type.Literal('session'), Type.Literal('off')]),
    videoSink: Type.Union(VIDEO_SINK_PREFS.map((v) => Type.Literal(v))),
    audioSink: Type.Union(AUDIO_SINK_PREFS.map((v) => Type.Literal(v))),
    decoder: Type.Union(DECODER_PREFS.map((v) => Type.Literal(v))),
    stateDir: Type.String({ minLength: 1 }),
    token: Type.Optional(Type.String({ minLength: 16, maxLength: 256, pattern: '^[A-Za-z0-9._~+/=-]+$' })),
    name: Type.String({ minLength: 1, maxLength: 63 }),
    config: Type.Optional(Type.String()),
    reconnectAttempts: Type.Integer({ minimum: 0, maximum: 1000 }),
    reconnectInterval: Type.Number({ minimum: 0, maximum: 3600 }),
    stallTimeout: Type.Number({ minimum: 0.1, maximum: 3600 }),
    updateLock: Type.Union([Type.Literal('on'), Type.Literal('off')]),
    demo: Type.Boolean(),
    /** Extra host names the HTTP surface answers to (DNS-rebinding guard). */
    allowedHosts: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 64 }),
    logLevel: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')]),
    /** auto: readable lines when stdout is a terminal, JSON otherwise. */
    logFormat: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')]),
    /** Output device names for soundMode speaker (main, HDMI) and ear (secondary, jack). */
    audioDeviceSpeaker: Type.String(),
    audioDeviceEar: Type.String(),
    /** Top-left corner "X,Y" on the 1920x1080 screen of the windowed (600x450) and the picture-in-picture (480x360) picture. */
    windowPosition: Type.String({ pattern: '^[0-9]{1,4},[0-9]{1,4}$' }),
    pipPosition: Type.String({ pattern: '^[0-9]{1,4},[0-9]{1,4}$' }),
    /** The view at start when no user has chosen one: a TV fills its screen. */
    startView: Type.Union([Type.Literal('fullscreen'), Type.Literal('window')]),
    /** The TV's language for the words on the screen. */
    language: Type.Union([Type.Literal('zh'), Type.Literal('en')]),
    /** Keep waiting for the lesson after 2006 and -2301 while the user still wants it. */
    rejoin: Type.Union([Type.Literal('on'), Type.Literal('off')]),
    /** The TV's size in pixels, "auto" to ask the display (X server, KMS connector). */
    displaySize: Type.String({ pattern: '^(auto|[0-9]{2,4}x[0-9]{2,4})$' }),
    /** When a spare media worker and TV card process stand by: also while playing (warm src switch), only while idle (less memory), or auto (by the board's memory, src/config/spare-policy.ts). */
    spareWorker: Type.Union([Type.Literal('auto'), Type.Literal('playing'), Type.Literal('idle')]),
    /** PEM file of extra CA certificates trusted for rtmps and https (docs/tls.md). */
    caFile: Type.Optional(Type.String({ minLength: 1 })),
    /** The address the TV's QR code carries, e.g. "http://tv-3.school.lan:8080" (default: from the listening address). */
    publicUrl: Type.Optional(Type.String({ maxLength: 300, pattern: '^https?://[^\\s/?#@]+(/[^\\s?#]*)?$' })),
  },
  { additionalProperties: false },
);

export type OptionsConfig = Static<typeof ConfigSchema>;

export interface OptionSpec {
  key: keyof OptionsConfig;
  flag: string;
  env: string;
  kind: 'string' | 'number' | 'boolean' | 'list';
}

/** Flag and environment names per option, as the contract lists them. */
export const OPTION_SPECS: readonly OptionSpec[] = [
  { key: 'http', flag: '--http', env: 'LIVEPLAYER_HTTP', kind: 'string' },
  { key: 'dbus', flag: '--dbus', env: 'LIVEPLAYER_DBUS', kind: 'string' },
  { key: 'videoSink', flag: '--video-sink', env: 'LIVEPLAYER_VIDEO_SINK', kind: 'string' },
  { key: 'audioSink', flag: '--audio-sink', env: 'LIVEPLAYER_AUDIO_SINK', kind: 'string' },
  { key: 'decoder', flag: '--decoder', env: 'LIVEPLAYER_DECODER', kind: 'string' },
  { key: 'stateDir', flag: '--state-dir', env: 'LIVEPLAYER_STATE_DIR', kind: 'string' },
  { key: 'token', flag: '--token', env: 'LIVEPLAYER_TOKEN', kind: 'string' },
  { key: 'name', flag: '--name', env: 'LIVEPLAYER_NAME', kind: 'string' },
  { key: 'config', flag: '--config', env: 'LIVEPLAYER_CONFIG', kind: 'string' },
  { key: 'reconnectAttempts', flag: '--reconnect-attempts', env: 'LIVEPLAYER_RECONNECT_ATTEMPTS', kind: 'number' },
  { key: 'reconnectInterval', flag: '--reconnect-interval', env: 'LIVEPLAYER_RECONNECT_INTERVAL', kind: 'number' },
  { key: 'stallTimeout', flag: '--stall-timeout', env: 'LIVEPLAYER_STALL_TIMEOUT', kind: 'number' },
  { key: 'updateLock', flag: '--update-lock', env: 'LIVEPLAYER_UPDATE_LOCK', kind: 'string' },
  { key: 'demo', flag: '--demo', env: 'LIVEPLAYER_DEMO', kind: 'boolean' },
  { key: 'allowedHosts', flag: '--allowed-hosts', env: 'LIVEPLAYER_ALLOWED_HOSTS', kind: 'list' },
  { key: 'logLevel', flag: '--log-level', env: 'LIVEPLAYER_LOG_LEVEL', kind: 'string' },
  { key: 'logFormat', flag: '--log-format', env: 'LIVEPLAYER_LOG_FORMAT', kind: 'string' },
  { key: 'audioDeviceSpeaker', flag: '--audio-device-speaker', env: 'LIVEPLAYER_AUDIO_DEVICE_SPEAKER', kind: 'string' },
  { key: 'audioDeviceEar', flag: '--audio-device-ear', env: 'LIVEPLAYER_AUDIO_DEVICE_EAR', kind: 'string' },
  { key: 'windowPosition', flag: '--window-position', env: 'LIVEPLAYER_WINDOW_POSITION', kind: 'string' },
  { key: 'pipPosition', flag: '--pip-position', env: 'LIVEPLAYER_PIP_POSITION', kind: 'string' },
  { key: 'startView', flag: '--start-view', env: 'LIVEPLAYER_START_VIEW', kind: 'string' },
  { key: 'language', flag: '--language', env: 'LIVEPLAYER_LANGUAGE', kind: 'string' },
  { key: 'rejoin', flag: '--rejoin', env: 'LIVEPLAYER_REJOIN', kind: 'string' },
  { key: 'displaySize', flag: '--display-size', env: 'LIVEPLAYER_DISPLAY_SIZE', kind: 'string' },
  { key: 'spareWorker', flag: '--spare-worker', env: 'LIVEPLAYER_SPARE_WORKER', kind: 'string' },
  { key: 'caFile', flag: '--ca-file', env: 'LIVEPLAYER_CA_FILE', kind: 'string' },
  { key: 'publicUrl', flag: '--public-url', env: 'LIVEPLAYER_PUBLIC_URL', kind: 'string' },
];

/** Flags that set an initial attribute (a flag wins over its environment twin). */
export const ATTRIBUTE_FLAGS: Readonly<Record<string, { key: string; kind: 'string' | 'number' | 'boolean' }>> = {
  '--src': { key: 'src', kind: 'string' },
};

/** Initial attributes from the environment, as the contract lists them. */
export const ATTRIBUTE_ENV: Readonly<Record<string, { key: string; kind: 'string' | 'number' | 'boolean' }>> = {
  LIVEPLAYER_SRC: { key: 'src', kind: 'string' },
  LIVEPLAYER_AUTOPLAY: { key: 'autoplay', kind: 'boolean' },
  LIVEPLAYER_MODE: { key: 'mode', kind: 'string' },
  LIVEPLAYER_MUTED: { key: 'muted', kind: 'boolean' },
  LIVEPLAYER_VOLUME: { key: 'volume', kind: 'number' },
  LIVEPLAYER_ORIENTATION: { key: 'orientation', kind: 'string' },
  LIVEPLAYER_OBJECT_FIT: { key: 'objectFit', kind: 'string' },
  LIVEPLAYER_MIN_CACHE: { key: 'minCache', kind: 'number' },
  LIVEPLAYER_MAX_CACHE: { key: 'maxCache', kind: 'number' },
  LIVEPLAYER_BACKGROUND_MUTE: { key: 'backgroundMute', kind: 'boolean' },
  LIVEPLAYER_SOUND_MODE: { key: 'soundMode', kind: 'string' },
};

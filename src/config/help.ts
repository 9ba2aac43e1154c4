// What `liveplayerd --help` says about each option: its group, meaning and
// allowed values (the default comes from load.ts, the flag and environment
// name from schema.ts), and the words a bad value is refused with.
import { OPTION_SPECS, type OptionsConfig } from './schema';

export interface OptionHelp {
  group: 'Playback' | 'Control' | 'Output' | 'Storage and security' | 'The TV' | 'Logs' | 'Other';
  /** How the value is written, e.g. "HOST:PORT|off"; empty for a switch. */
  values: string;
  meaning: string;
  /** "expects …": what an error says the option wants. */
  expects?: string;
}

/** Options without an entry here are listed under "Other" with their flag only. */
export const OPTION_HELP: Partial<Record<keyof OptionsConfig, OptionHelp>> = {
  http: { group: 'Control', values: 'HOST:PORT|off', meaning: 'HTTP API, phone page and /metrics; off turns them off', expects: 'HOST:PORT or off' },
  dbus: { group: 'Control', values: 'system|session|off', meaning: 'D-Bus bus for LivePlayer1 and MPRIS (playerctl); without a bus it runs on' },
  allowedHosts: { group: 'Control', values: 'NAME,NAME', meaning: 'extra host names the HTTP surface answers to (DNS-rebinding guard)' },
  name: { group: 'Control', values: 'TEXT', meaning: 'the name phones, playerctl and the TV show', expects: '1 to 63 characters' },
  videoSink: { group: 'Output', values: 'auto|kms|gl|x|wayland|fake', meaning: 'where pictures go; fake decodes and shows nothing' },
  audioSink: { group: 'Output', values: 'auto|alsa|pulse|fake', meaning: 'where sound goes' },
  decoder: { group: 'Output', values: 'auto|v4l2|omx|software', meaning: 'H.264 decoder; auto tries hardware, then software (2106)' },
  audioDeviceSpeaker: { group: 'Output', values: 'ALSA-DEVICE', meaning: 'output for soundMode speaker (main, HDMI); empty: the default device' },
  audioDeviceEar: { group: 'Output', values: 'ALSA-DEVICE', meaning: 'output for soundMode ear (secondary, jack); empty: the default device' },
  reconnectAttempts: { group: 'Playback', values: 'N', meaning: 'reconnections after a lost stream before -2301', expects: 'a whole number from 0 to 1000' },
  reconnectInterval: { group: 'Playback', values: 'SECONDS', meaning: 'wait between reconnections', expects: 'a number of seconds from 0 to 3600' },
  spareWorker: { group: 'Playback', values: 'auto|playing|idle', meaning: 'keep a started media worker and TV card process ready also while playing (warm src switch), or only while idle (~40 MiB less PSS while playing; a src switch starts cold); auto: idle below 768 MiB of memory (a Pi Zero 2 W), playing above' },
  stallTimeout: { group: 'Playback', values: 'SECONDS', meaning: 'an open connection without media for this long counts as lost', expects: 'a number of seconds from 0.1 to 3600' },
  demo: { group: 'Playback', values: '', meaning: 'play a built-in test stream and print how to pair and call the API' },
  rejoin: { group: 'Playback', values: 'on|off', meaning: 'after the stream ends (2006) or reconnecting gives up (-2301), keep waiting and play again when it returns' },
  startView: { group: 'The TV', values: 'fullscreen|window', meaning: 'view at start when no user has chosen one' },
  language: { group: 'The TV', values: 'zh|en', meaning: 'language of the words on the TV; from the system locale, zh when in doubt' },
  displaySize: { group: 'The TV', values: 'auto|WIDTHxHEIGHT', meaning: 'the TV size in pixels; auto asks the display (X server, KMS)', expects: 'auto or WIDTHxHEIGHT (e.g. 1920x1080)' },
  publicUrl: { group: 'Control', values: 'URL', meaning: "address the TV's QR code carries (a name the school's DNS knows, a multi-homed board); default: this board's first LAN address", expects: 'an http:// or https:// URL' },
  stateDir: { group: 'Storage and security', values: 'DIR', meaning: 'settings, token, paired phones, snapshots' },
  caFile: { group: 'Storage and security', values: 'FILE', meaning: "PEM CA certificates trusted for rtmps:// and https:// besides the system's (docs/tls.md)" },
  token: { group: 'Storage and security', values: 'TOKEN', meaning: 'bearer token of the HTTP API; generated and kept in the state dir when not given', expects: '16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = -' },
  config: { group: 'Storage and security', values: 'FILE', meaning: 'JSON file with options and initial attributes (flags and environment win)' },
  updateLock: { group: 'Storage and security', values: 'on|off', meaning: 'hold the balena update lock while playing; on under balena' },
  windowPosition: { group: 'The TV', values: 'X,Y', meaning: 'top-left corner of the 600x450 window on the 1920x1080 screen', expects: 'X,Y (two whole numbers)' },
  pipPosition: { group: 'The TV', values: 'X,Y', meaning: 'top-left corner of the 480x360 picture-in-picture', expects: 'X,Y (two whole numbers)' },
  logLevel: { group: 'Logs', values: 'fatal|error|warn|info|debug|trace|silent', meaning: 'least important level logged; 2005 progress is at debug' },
  logFormat: { group: 'Logs', values: 'auto|json|pretty', meaning: 'auto: readable lines on a terminal, JSON otherwise (journald, balena)' },
};

const GROUPS: OptionHelp['group'][] = ['Playback', 'Control', 'Output', 'Storage and security', 'The TV', 'Logs', 'Other'];

/** Flags that set an initial attribute rather than an option. */
export const ATTRIBUTE_FLAG_HELP = [{ flag: '--src', values: 'URL', meaning: 'stream to play: rtmp://, rtmps://, http(s)://….flv', env: 'LIVEPLAYER_SRC' }];

const show = (v: unknown): string => (Array.isArray(v) ? v.join(',') || '(none)' : v === '' ? '(empty)' : v === undefined ? '(none)' : String(v));

/** The --help text; `defaults` are the values this machine would use. */
export function usage(defaults: Partial<Record<keyof OptionsConfig, unknown>>): string {
  const lines = ['usage: liveplayerd [options]', '', 'Plays a live stream (RTMP, HTTP-FLV) on the TV; phones, scripts and playerctl control it.', 'Every option can also come from its environment variable or the --config file; a flag wins.'];
  const row = (flag: string, values: string, meaning: string, extra: string) => {
    const left = `  ${flag}${values ? ` ${values}` : ''}`;
    lines.push(left.length < 34 ? `${left.padEnd(34)}${meaning}` : `${left}\n${' '.repeat(34)}${meaning}`);
    lines.push(`${' '.repeat(34)}${extra}`);
  };
  for (const group of GROUPS) {
    const specs = OPTION_SPECS.filter((s) => (OPTION_HELP[s.key]?.group ?? 'Other') === group);
    const attrFlags = group === 'Playback' ? ATTRIBUTE_FLAG_HELP : [];
    if (specs.length === 0 && attrFlags.length === 0) continue;
    lines.push('', `${group}:`);
    for (const a of attrFlags) row(a.flag, a.values, a.meaning, `default: (none)  env: ${a.env}`);
    for (const s of specs) {
      const h = OPTION_HELP[s.key];
      row(s.flag, h?.values ?? '', h?.meaning ?? '', `default: ${show(defaults[s.key])}  env: ${s.env}`);
    }
  }
  lines.push('', 'Actions:', `  ${'--rotate-token'.padEnd(32)}write a new API token to the state dir and exit`, `  ${'--help, -h'.padEnd(32)}this text`, `  ${'--version'.padEnd(32)}print the version and exit`);
  lines.push('', 'Initial attributes also come from LIVEPLAYER_AUTOPLAY, _MODE, _MUTED, _VOLUME, _ORIENTATION, _OBJECT_FIT, _MIN_CACHE, _MAX_CACHE, _BACKGROUND_MUTE, _SOUND_MODE.', 'More: docs/ in the source, /api/v1/openapi.json on a running daemon.');
  return lines.join('\n');
}

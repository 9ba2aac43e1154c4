// org.liveplayerd.LivePlayer1 at /org/liveplayerd/Player: a thin shell over
// LivePlayer. Every call goes to the player, every refusal comes back as the
// player error's D-Bus name, every player event becomes a signal or a
// PropertiesChanged (only for values that really changed).
import type { EventEmitter } from 'node:events';
import { interface as dbusInterface, Variant } from 'dbus-next';
import type { Logger } from 'pino';
import type { Attributes } from '../player/attributes';
import type { NetStatus, SnapshotRequest } from '../player/engine';
import type { LivePlayer, PlayerEventMap } from '../player/player';
import { PlayerError } from '../player/errors';
import { guard, invalidArgument, nameArgs, PropertyMirror, safeSignal, type IntrospectXml } from './edge';

export const LIVE_PLAYER1 = 'org.liveplayerd.LivePlayer1';
export const LIVE_PLAYER1_PATH = '/org/liveplayerd/Player';

/** D-Bus property name -> attribute key, with the property's D-Bus type. */
const ATTRIBUTE_PROPERTIES = {
  Src: ['src', 's'],
  Mode: ['mode', 's'],
  Autoplay: ['autoplay', 'b'],
  Muted: ['muted', 'b'],
  Volume: ['volume', 'i'],
  Orientation: ['orientation', 's'],
  ObjectFit: ['objectFit', 's'],
  MinCache: ['minCache', 'd'],
  MaxCache: ['maxCache', 'd'],
  BackgroundMute: ['backgroundMute', 'b'],
  SoundMode: ['soundMode', 's'],
} as const satisfies Record<string, [keyof Attributes, string]>;

type AttributeProperty = keyof typeof ATTRIBUTE_PROPERTIES;

const READ_ONLY = { State: 's', LastCode: 'i', FullScreen: 'b', Direction: 'i' } as const;

const QUALITIES = ['raw', 'compressed'];
const SOURCES = ['stream', 'view'];

export class LivePlayer1 extends dbusInterface.Interface {
  private mirror: PropertyMirror | null = null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly player: LivePlayer,
    private readonly log: Logger,
    private readonly showPairing?: (ms: number) => { until: string },
  ) {
    super(LIVE_PLAYER1);
  }

  /** Starts mirroring the player's events; called once the object is exported. */
  attach(): void {
    this.mirror = new PropertyMirror(this, () => this.values(), this.log);
    const refresh = () => this.mirror?.refresh();
    this.listen('statechange', ({ code, message }) => {
      safeSignal(this.log, () => this.StateChange(code, message));
      refresh();
    });
    this.listen('state', refresh);
    this.listen('attributes', refresh);
    this.listen('netstatus', ({ info }) => safeSignal(this.log, () => this.NetStatus(info)));
    this.listen('audiovolumenotify', ({ volume }) => safeSignal(this.log, () => this.AudioVolumeNotify(volume)));
    this.listen('playererror', ({ errMsg }) => safeSignal(this.log, () => this.Error(errMsg)));
    this.listen('fullscreenchange', ({ direction, fullScreen }) => {
      safeSignal(this.log, () => this.FullScreenChange(direction, fullScreen));
      refresh();
    });
  }

  private listen<K extends keyof PlayerEventMap>(event: K, fn: (...a: PlayerEventMap[K]) => void): void {
    const emitter = this.player as unknown as EventEmitter;
    emitter.on(event, fn as (...a: unknown[]) => void);
    this.unsubscribe.push(() => emitter.off(event, fn as (...a: unknown[]) => void));
  }

  detach(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.mirror = null;
  }

  /** Every readable property as D-Bus would return it; the mirror diffs these. */
  values(): Record<string, unknown> {
    const v = this.player.view();
    const out: Record<string, unknown> = {};
    for (const [prop, [key]] of Object.entries(ATTRIBUTE_PROPERTIES)) out[prop] = v.attributes[key];
    out.State = v.state;
    out.LastCode = v.lastCode?.code ?? 0;
    out.FullScreen = v.fullScreen.fullScreen;
    out.Direction = v.fullScreen.direction;
    return out;
  }

  private setAttribute(prop: AttributeProperty, value: unknown): void {
    const [key] = ATTRIBUTE_PROPERTIES[prop];
    guard('setAttributes', () => this.player.setAttributes({ [key]: value }));
  }

  Play(): void {
    guard('play', () => this.player.play());
  }
  Stop(): Promise<void> {
    return guard('stop', () => this.player.stop());
  }
  Mute(): void {
    guard('mute', () => this.player.mute());
  }
  Pause(): Promise<void> {
    return guard('pause', () => this.player.pause());
  }
  Resume(): Promise<void> {
    return guard('resume', () => this.player.resume());
  }
  RequestFullScreen(direction: number): void {
    guard('requestFullScreen', () => this.player.requestFullScreen(direction));
  }
  ExitFullScreen(): void {
    guard('exitFullScreen', () => this.player.exitFullScreen());
  }
  RequestPictureInPicture(): void {
    guard('requestPictureInPicture', () => this.player.requestPictureInPicture());
  }
  ExitPictureInPicture(): void {
    guard('exitPictureInPicture', () => this.player.exitPictureInPicture());
  }

  /** Shows the pairing code in a corner of the TV for 60 s without stopping the picture; returns until when. */
  ShowPairingCode(): string {
    return guard('showPairingCode', () => {
      if (!this.showPairing) throw new PlayerError('NotAvailable', 'showPairingCode');
      return this.showPairing(60_000).until;
    });
  }

  // An empty string picks the default, as an omitted field does over HTTP.
  Snapshot(quality: string, sourceType: string): Promise<[string, number, number]> {
    return guard('snapshot', async (): Promise<[string, number, number]> => {
      const q = quality || 'raw';
      const s = sourceType || 'stream';
      if (!QUALITIES.includes(q)) throw invalidArgument('snapshot', `quality must be one of ${QUALITIES.join(', ')}`);
      if (!SOURCES.includes(s)) throw invalidArgument('snapshot', `sourceType must be one of ${SOURCES.join(', ')}`);
      const r = await this.player.snapshot({ quality: q, sourceType: s } as SnapshotRequest);
      const u = (n: number) => Math.min(0xffffffff, Math.max(0, Math.round(n)));
      return [r.path, u(r.width), u(r.height)];
    });
  }

  StateChange(code: number, message: string): [number, string] {
    return [code, message];
  }
  NetStatus(info: NetStatus): Record<string, Variant> {
    const out: Record<string, Variant> = {};
    for (const [k, v] of Object.entries(info)) out[k] = new Variant('d', v);
    return out;
  }
  FullScreenChange(direction: number, fullScreen: boolean): [number, boolean] {
    return [direction, fullScreen];
  }
  AudioVolumeNotify(volume: number): number {
    return Math.round(volume);
  }
  /** The spec's `error` event: playback ended in failure. */
  Error(errMsg: string): string {
    return errMsg;
  }

  // dbus-next calls this for Introspect; its typings do not declare it.
  $introspect(): IntrospectXml {
    const xml = (dbusInterface.Interface.prototype as unknown as { $introspect(): IntrospectXml }).$introspect.call(this);
    return nameArgs(xml, {
      RequestFullScreen: ['direction'],
      Snapshot: ['quality', 'sourceType', 'path', 'width', 'height'],
      ShowPairingCode: ['until'],
      StateChange: ['code', 'message'],
      NetStatus: ['info'],
      FullScreenChange: ['direction', 'fullScreen'],
      AudioVolumeNotify: ['volume'],
      Error: ['errMsg'],
    });
  }
}

// Accessors for the properties, generated from the tables above so that the
// D-Bus names, types and attribute keys are written once.
for (const prop of Object.keys(ATTRIBUTE_PROPERTIES) as AttributeProperty[]) {
  Object.defineProperty(LivePlayer1.prototype, prop, {
    get(this: LivePlayer1) {
      return this.values()[prop];
    },
    set(this: LivePlayer1, value: unknown) {
      (this as unknown as { setAttribute(p: AttributeProperty, v: unknown): void }).setAttribute(prop, value);
    },
  });
}
for (const prop of Object.keys(READ_ONLY) as (keyof typeof READ_ONLY)[]) {
  Object.defineProperty(LivePlayer1.prototype, prop, {
    get(this: LivePlayer1) {
      return this.values()[prop];
    },
  });
}

LivePlayer1.configureMembers({
  properties: {
    ...Object.fromEntries(Object.entries(ATTRIBUTE_PROPERTIES).map(([p, [, signature]]) => [p, { signature, access: 'readwrite' as const }])),
    ...Object.fromEntries(Object.entries(READ_ONLY).map(([p, signature]) => [p, { signature, access: 'read' as const }])),
  },
  methods: {
    Play: {},
    Stop: {},
    Mute: {},
    Pause: {},
    Resume: {},
    RequestFullScreen: { inSignature: 'i' },
    ExitFullScreen: {},
    RequestPictureInPicture: {},
    ExitPictureInPicture: {},
    Snapshot: { inSignature: 'ss', outSignature: 'suu' },
    ShowPairingCode: { outSignature: 's' },
  },
  signals: {
    StateChange: { signature: 'is' },
    NetStatus: { signature: 'a{sv}' },
    FullScreenChange: { signature: 'ib' },
    AudioVolumeNotify: { signature: 'i' },
    Error: { signature: 's' },
  },
});

// MPRIS 2 at /org/mpris/MediaPlayer2, so playerctl, desktop widgets and phone
// apps control the player. A live stream has one "track" (the src), cannot
// seek or change rate. Its Volume is the `volume` attribute (0-100) as
// 0.0-1.0, apart from `muted` as in mpv and VLC: muting keeps the level.
import type { EventEmitter } from 'node:events';
import { interface as dbusInterface, Variant } from 'dbus-next';
import type { Logger } from 'pino';
import type { LivePlayer } from '../player/player';
import type { PlayerState } from '../player/state';
import { guard, invalidArgument, nameArgs, PropertyMirror, type IntrospectXml } from './edge';

export { MPRIS_PATH, MprisRoot } from './mpris-root';
const NO_TRACK = '/org/mpris/MediaPlayer2/TrackList/NoTrack';

/**
 * What a user would call the player's state: connecting to a stream counts
 * as playing it; waiting for the lesson to come back is Stopped (nothing
 * plays), and the State property of org.liveplayerd.LivePlayer1 says why.
 */
export function playbackStatus(state: PlayerState): 'Playing' | 'Paused' | 'Stopped' {
  if (state === 'playing' || state === 'connecting' || state === 'reconnecting') return 'Playing';
  if (state === 'paused') return 'Paused';
  return 'Stopped';
}

/** The stream name (last path segment, without .flv) or "<identity> live" when the URL has none. */
export function streamTitle(src: string, identity: string): string {
  try {
    const seg = new URL(src).pathname.split('/').filter(Boolean).pop();
    const name = seg ? decodeURIComponent(seg).replace(/\.flv$/i, '') : '';
    if (name) return name;
  } catch {
    // an unparsable src has no name; fall through to the generic title
  }
  return `${identity} live`;
}

/** org.mpris.MediaPlayer2.Player over LivePlayer. */
export class MprisPlayer extends dbusInterface.Interface {
  private mirror: PropertyMirror | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private track = { no: 0, src: '' };

  constructor(
    private readonly player: LivePlayer,
    private readonly identity: string,
    private readonly log: Logger,
  ) {
    super('org.mpris.MediaPlayer2.Player');
  }

  attach(): void {
    this.mirror = new PropertyMirror(this, () => this.values(), this.log);
    const refresh = () => this.mirror?.refresh();
    const emitter = this.player as unknown as EventEmitter;
    for (const event of ['state', 'attributes']) {
      emitter.on(event, refresh);
      this.unsubscribe.push(() => emitter.off(event, refresh));
    }
  }

  detach(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.mirror = null;
  }

  /** The properties that change with the player; the mirror diffs these. */
  values(): Record<string, unknown> {
    const { src } = this.player.attributes;
    return {
      PlaybackStatus: playbackStatus(this.player.state),
      Metadata: this.metadata(src),
      Volume: this.Volume,
      CanPlay: src !== '',
      CanPause: src !== '',
    };
  }

  // A new src is a new track, so clients see a new trackid and refetch.
  private metadata(src: string): Record<string, Variant> {
    if (!src) return { 'mpris:trackid': new Variant('o', NO_TRACK) };
    if (src !== this.track.src) this.track = { no: this.track.no + 1, src };
    return {
      'mpris:trackid': new Variant('o', `/org/liveplayerd/Track/${this.track.no}`),
      'xesam:url': new Variant('s', src),
      'xesam:title': new Variant('s', streamTitle(src, this.identity)),
    };
  }

  get PlaybackStatus(): string {
    return playbackStatus(this.player.state);
  }
  get Metadata(): Record<string, Variant> {
    return this.metadata(this.player.attributes.src);
  }
  get Volume(): number {
    return this.player.attributes.volume / 100;
  }
  // MPRIS clamps: below 0.0 is 0.0, and a player may cap at 1.0 (this one
  // does not amplify). The level is stored in whole percent.
  set Volume(v: number) {
    if (!Number.isFinite(v)) throw invalidArgument('setVolume', 'volume must be a number from 0.0 to 1.0');
    const volume = Math.round(Math.min(1, Math.max(0, v)) * 100);
    guard('setVolume', () => this.player.setAttributes({ volume }));
  }
  get Rate(): number {
    return 1;
  }
  set Rate(v: number) {
    if (v !== 1) throw invalidArgument('setRate', 'a live stream plays at rate 1.0 only');
  }
  get MinimumRate(): number {
    return 1;
  }
  get MaximumRate(): number {
    return 1;
  }
  get Position(): bigint {
    return 0n;
  }
  get CanGoNext(): boolean {
    return false;
  }
  get CanGoPrevious(): boolean {
    return false;
  }
  get CanPlay(): boolean {
    return this.player.attributes.src !== '';
  }
  get CanPause(): boolean {
    return this.player.attributes.src !== '';
  }
  get CanSeek(): boolean {
    return false;
  }
  get CanControl(): boolean {
    return true;
  }

  Play(): void {
    guard('play', () => this.player.play());
  }
  // Pausing what is stopped does nothing (MPRIS); while connecting the player refuses (NotPlaying).
  async Pause(): Promise<void> {
    if (playbackStatus(this.player.state) === 'Stopped') return;
    await guard('pause', () => this.player.pause());
  }
  async PlayPause(): Promise<void> {
    const status = playbackStatus(this.player.state);
    if (status === 'Playing') await guard('pause', () => this.player.pause());
    else guard('play', () => this.player.play());
  }
  Stop(): Promise<void> {
    return guard('stop', () => this.player.stop());
  }
  // No other tracks and no seeking: these have no effect, as MPRIS asks.
  Next(): void {}
  Previous(): void {}
  Seek(_offset: bigint): void {}
  SetPosition(_track: string, _position: bigint): void {}
  OpenUri(uri: string): void {
    guard('openUri', () => {
      this.player.setAttributes({ src: uri });
      this.player.play();
    });
  }
  Seeked(position: bigint): bigint {
    return position;
  }

  // dbus-next calls this for Introspect; its typings do not declare it.
  $introspect(): IntrospectXml {
    const xml = (dbusInterface.Interface.prototype as unknown as { $introspect(): IntrospectXml }).$introspect.call(this);
    return nameArgs(xml, { Seek: ['Offset'], SetPosition: ['TrackId', 'Position'], OpenUri: ['Uri'], Seeked: ['Position'] });
  }
}

const rw = (signature: string) => ({ signature, access: 'readwrite' as const });
const ro = (signature: string) => ({ signature, access: 'read' as const });

MprisPlayer.configureMembers({
  properties: {
    PlaybackStatus: ro('s'),
    Metadata: ro('a{sv}'),
    Volume: rw('d'),
    Rate: rw('d'),
    MinimumRate: ro('d'),
    MaximumRate: ro('d'),
    Position: ro('x'),
    CanGoNext: ro('b'),
    CanGoPrevious: ro('b'),
    CanPlay: ro('b'),
    CanPause: ro('b'),
    CanSeek: ro('b'),
    CanControl: ro('b'),
  },
  methods: {
    Next: {},
    Previous: {},
    Pause: {},
    PlayPause: {},
    Stop: {},
    Play: {},
    Seek: { inSignature: 'x' },
    SetPosition: { inSignature: 'ox' },
    OpenUri: { inSignature: 's' },
  },
  signals: { Seeked: { signature: 'x' } },
});

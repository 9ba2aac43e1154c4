// The port through which the player drives media. The player knows only this
// interface; src/gst/ implements it with throw-away worker processes.
import type { Attributes } from './attributes';
import type { StatusCode } from './status-codes';

export interface FullScreenState {
  fullScreen: boolean;
  direction: 0 | 90 | -90;
}

/** What a session needs to render: the attributes plus the view state. */
export interface SessionOptions {
  attributes: Attributes;
  fullScreen: FullScreenState;
  pictureInPicture: boolean;
  /** What the audio output does: muted by the user, or by backgroundMute while the player is in background. */
  audioMuted: boolean;
}

export type NetStatus = Record<string, number>;

export interface SnapshotRequest {
  quality: 'raw' | 'compressed';
  sourceType: 'stream' | 'view';
}

export interface SnapshotResult {
  /** Absolute path of the image file in the state dir. */
  path: string;
  width: number;
  height: number;
}

/** What a session reports back. Every callback may arrive at any time after open(). */
export interface EngineEvents {
  /** A code on the normal path or a degradation where playback goes on (2001-2009, 2101-2108). */
  code(code: StatusCode, detail?: string): void;
  netstatus(info: NetStatus): void;
  volume(volume: number): void;
  /** The connection is gone or never came up (3001/3002/3003/3005, or 2007 then a stall); the session holds its last frame and waits for reconnect() or stop(). */
  dropped(code: StatusCode | null, detail: string): void;
  /** The publisher stopped and the server said so (2006). */
  ended(detail: string): void;
  /** The address cannot be played at all (-2302), or the pipeline cannot be built. */
  failed(code: StatusCode | null, detail: string): void;
  /** The media process died; the session is gone. */
  crashed(detail: string): void;
}

export interface MediaSession {
  /** Connect again after dropped(), keeping the pipeline and its last frame. */
  reconnect(): void;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Apply changed attributes or view state that can change without a restart. */
  update(opts: SessionOptions): void;
  snapshot(req: SnapshotRequest): Promise<SnapshotResult>;
  /** Ends the session and frees everything it held. Safe to call twice. */
  stop(): Promise<void>;
}

export interface MediaEngine {
  open(opts: SessionOptions, events: EngineEvents): MediaSession;
  /** Attributes that need a new pipeline when they change while playing. */
  readonly restartKeys: readonly (keyof Attributes)[];
  close(): Promise<void>;
}

/** How a watch of a source ended: media arrived (`live`), or the connection failed, ended or stayed empty (`gone`). */
export interface WatchResult {
  live: boolean;
  /** How long the connection was held before it ended; a long hold means the server is up and the stream simply absent. */
  heldMs: number;
  detail: string;
}

/**
 * Watches a source without a media pipeline while the player waits for the
 * lesson to come back: one connection that asks for the stream and reports
 * as soon as media arrives. The daemon implements it with its own stream
 * readers; tests with a fake.
 */
export interface SourceWatcher {
  watch(src: string): { result: Promise<WatchResult>; cancel(): void };
}

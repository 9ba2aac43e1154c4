// The messages between the daemon and its two kinds of child process: the
// media worker (one session's pipeline) and the TV card process (the idle
// screen, the band and the corner). Plain data only: they cross
// process.send with structured cloning. A status code keeps its type
// (StatusCode) from the worker that decides it to the player that emits it.
import type { SnapshotRequest, SnapshotResult } from '../player/engine';
import type { StatusCode } from '../player/status-codes';
import type { VideoSinkPref } from './element-choice';
import type { PipelineChoice } from './pipeline-description';
import type { ScalePath, Size, ViewGeometry } from '../player/view';

/** Everything a worker needs to play one session. */
export interface WorkerPlan {
  src: string;
  choice: PipelineChoice;
  /** Set when `auto` fell back to software: the 2106 message. */
  decoderFallback?: string;
  /** The hardware decoder in use, if any: its failure before the first frame is reported as decoder-failed. */
  hardwareDecoder?: string;
  muted: boolean;
  /** The volume element's level, 0.0-1.0 (the attribute's percent / 100). */
  volume: number;
  minCacheMs: number;
  maxCacheMs: number;
  stallTimeoutMs: number;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  /** Extra trusted CA certificates (PEM, --ca-file) for rtmps and https. */
  ca?: string[];
  snapshotDir: string;
  audioDevice: string;
  /** How the picture is shown when the session starts; later changes come as `geometry`. */
  view: ViewGeometry;
  screen: Size;
  /** Who scales and whether the box is placed on a screen-sized frame (element table, per sink). */
  scale: ScalePath;
  place: boolean;
}

/** A plan as the engine makes it; the session adds what it knows better at the moment it begins (the view, mute, volume). */
export type SessionPlan = Omit<WorkerPlan, 'view' | 'muted' | 'volume'>;

export type ToWorker =
  | { t: 'prepare'; choice: PipelineChoice }
  | { t: 'open'; plan: WorkerPlan }
  | { t: 'reconnect' }
  | { t: 'pause'; id: number }
  | { t: 'resume'; id: number }
  | { t: 'update'; muted: boolean; volume: number; audioDevice: string }
  | { t: 'geometry'; view: ViewGeometry }
  | { t: 'snapshot'; id: number; req: SnapshotRequest }
  /** The picture the sink shows now, at most `maxWidth` wide (the TV's dimmed backdrop while a stream reconnects). */
  | { t: 'still'; id: number; maxWidth: number }
  /** The TV's pairing card over the picture (a PNG, base64, drawn for the screen's size), or null to take it away. */
  | { t: 'corner'; png: string | null }
  /** The TV's words on the screen itself while no frame of the stream is due (the whole screen; the worker removes the file), or null to take them away. */
  | { t: 'words'; picture: PictureFile | null };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'code'; code: StatusCode; detail?: string }
  | { t: 'netstatus'; info: Record<string, number> }
  | { t: 'volume'; volume: number }
  | { t: 'dropped'; code: StatusCode | null; detail: string }
  | { t: 'ended'; detail: string }
  | { t: 'failed'; code: StatusCode | null; detail: string }
  /** The picture stayed frozen while frames arrived, and a re-sync did not help: the daemon replaces this worker. */
  | { t: 'frozen'; detail: string }
  /** The hardware decoder failed on the first key frame; the daemon goes on with software (2108). */
  | { t: 'decoder-failed'; detail: string }
  | { t: 'reply'; id: number; ok: true; result: SnapshotResult }
  | { t: 'reply'; id: number; ok: false; error: string }
  | { t: 'done'; id: number; cmd: 'pause' | 'resume' }
  | { t: 'still'; id: number; still?: Still; error?: string }
  /** The worker is about to end itself (over its memory bound): why, for the crashed() that follows. */
  | { t: 'ending'; detail: string }
  /** Something the daemon's log should say about the session (the worker has no logger of its own). */
  | { t: 'log'; level: 'debug' | 'info' | 'warn'; msg: string; data: Record<string, number | string> };

/** A small picture in memory: RGBA, row-major, base64 for the IPC channel. */
export interface Still {
  width: number;
  height: number;
  rgba: string;
}

/** One card of the TV: its picture (layout, QR, last frame) and its words (pango markup and fonts). */
export interface Card {
  layout: 'idle' | 'band' | 'corner' | 'still';
  width: number;
  height: number;
  /** The pairing address (idle and corner layouts). */
  qr?: string;
  title: string;
  status: string;
  titleFont: string;
  statusFont: string;
  /** A dark band behind the words, for words over a picture. */
  shaded: boolean;
  /**
   * The still layout: the stream's last picture, kept at `dim` of its
   * brightness, under a panel `bandWidth` x `bandHeight` at the top left;
   * `serial` tells one copy from the next.
   */
  backdrop?: { serial: number; still: Still; bandHeight: number; bandWidth: number; dim: number };
}

/**
 * A picture in a file of its own (RGBA, row-major, nothing else), handed
 * between processes on this machine: no image coding on the way (PNG took
 * 0.4-0.6 s both ways for a 1080p card). Whoever reads it removes it.
 */
export interface PictureFile {
  file: string;
  width: number;
  height: number;
}

export type ToCardProcess =
  | { t: 'show'; videoSink: VideoSinkPref; card: Card }
  /**
   * The card as PNG; `fast`: quick to write and read, large (for a card
   * decoded again at once); `rawTo`: as a PictureFile in that folder instead.
   */
  | { t: 'capture'; id: number; fast?: boolean; rawTo?: string };

export type FromCardProcess =
  | { t: 'ready' }
  | { t: 'showing' }
  | { t: 'captured'; id: number; png?: string; raw?: PictureFile; error?: string }
  | { t: 'error'; detail: string };

// What the routes call: thin calls into LivePlayer, kept apart from the
// routes (as balena-supervisor keeps device-api/actions.ts) so that the
// route files only declare paths and schemas.
import path from 'node:path';
import { PlayerError } from '../player/errors';
import type { LivePlayer } from '../player/player';
import type { FullScreenBodyT, SnapshotBodyT } from './schemas';
import { API, SNAPSHOT_FILE } from './schemas';

/** The LivePlayerContext methods answered with just {errMsg: "<method>:ok"}. */
export const SIMPLE_METHODS = {
  play: (p: LivePlayer) => p.play(),
  stop: (p: LivePlayer) => p.stop(),
  mute: (p: LivePlayer) => p.mute(),
  pause: (p: LivePlayer) => p.pause(),
  resume: (p: LivePlayer) => p.resume(),
  exitFullScreen: (p: LivePlayer) => p.exitFullScreen(),
  requestPictureInPicture: (p: LivePlayer) => p.requestPictureInPicture(),
  exitPictureInPicture: (p: LivePlayer) => p.exitPictureInPicture(),
} satisfies Record<string, (p: LivePlayer) => void | Promise<void>>;

export type SimpleMethod = keyof typeof SIMPLE_METHODS;

export function requestFullScreen(p: LivePlayer, body: FullScreenBodyT | undefined): void {
  p.requestFullScreen(body?.direction ?? 0);
}

/** Takes a snapshot and turns the engine's file path into the URL that serves it. */
export async function snapshot(p: LivePlayer, body: SnapshotBodyT | undefined, snapshotDir: string) {
  const r = await p.snapshot({ quality: body?.quality ?? 'raw', sourceType: body?.sourceType ?? 'stream' });
  return { errMsg: 'snapshot:ok', tempImagePath: snapshotUrl(r.path, snapshotDir), width: r.width, height: r.height };
}

/** The URL of a snapshot file; refuses a path the file route would not serve. */
export function snapshotUrl(file: string, snapshotDir: string): string {
  const name = path.basename(file);
  if (path.resolve(path.dirname(file)) !== path.resolve(snapshotDir) || !SNAPSHOT_FILE.test(name)) {
    throw new PlayerError('EngineFailed', 'snapshot', 'the image was not written to the snapshot folder');
  }
  return `${API}/snapshots/${name}`;
}

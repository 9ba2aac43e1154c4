// What no real live stream sends, and the readers and the worker refuse.
// Each figure is documented in docs/limits.md with the reason for it; a
// hostile or broken server past one of them costs a drop (and the reconnect
// policy), never the worker's memory.
import type { FlvTag } from './types';
import { avcInfo } from './flv/avc';
import { TAG_AUDIO, TAG_VIDEO } from './flv/tags';

/** Largest message (RTMP) or tag body (FLV) accepted, by kind. */
export const MAX_VIDEO_BYTES = 8 * 1024 * 1024;
export const MAX_AUDIO_BYTES = 1024 * 1024;
/** Script data (onMetaData, cue points): a live encoder's are well under 4 KiB. */
export const MAX_SCRIPT_BYTES = 1024 * 1024;
/** RTMP commands and protocol control: a server's answers are a few hundred bytes. */
export const MAX_COMMAND_BYTES = 64 * 1024;
/** Bytes of RTMP messages being assembled at one time, over every chunk stream. */
export const MAX_PARTIAL_BYTES = 16 * 1024 * 1024;
/** Picture size a sequence header may declare (8K UHD); a decoder would allocate frames of that size. */
export const MAX_WIDTH = 8192;
export const MAX_HEIGHT = 8192;
export const MAX_PIXELS = 8192 * 4320;
/** Nesting depth of AMF0 objects and arrays. */
export const MAX_AMF_DEPTH = 32;

/** The limit for a message or tag of RTMP type / FLV tag type `type`. */
export function maxBodyBytes(type: number): number {
  if (type === TAG_VIDEO || type === 22) return MAX_VIDEO_BYTES;
  if (type === TAG_AUDIO) return MAX_AUDIO_BYTES;
  if (type === 18 || type === 15) return MAX_SCRIPT_BYTES;
  return MAX_COMMAND_BYTES;
}

/** Why a tag is refused outright (the connection is dropped), or null. */
export function refuseTag(tag: FlvTag): string | null {
  if (tag.type !== TAG_VIDEO) return null;
  let info;
  try {
    info = avcInfo(tag);
  } catch {
    return null;
  }
  if (!info) return null;
  if (info.width > MAX_WIDTH || info.height > MAX_HEIGHT || info.width * info.height > MAX_PIXELS) {
    return `video sequence header declares ${info.width}x${info.height}, larger than any stream plays (limit ${MAX_WIDTH}x${MAX_HEIGHT}, ${MAX_PIXELS} pixels)`;
  }
  return null;
}

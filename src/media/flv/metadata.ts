// What a stream's onMetaData says about its tracks, read before the tracks
// themselves arrive: nginx-rtmp sends it at once but the first video tag
// (with its sequence header) only with the next key frame, a GOP later.
import type { FlvTag } from '../types';
import { decodeAmf0, isAmfObject } from '../rtmp/amf0';
import { TAG_SCRIPT } from './tags';

/** onMetaData larger than this is not read (an encoder's is a few hundred bytes). */
const MAX_METADATA_BYTES = 64 * 1024;

/** True when a script tag is onMetaData announcing video (a video codec id or a width), false when it announces none, null for other tags. */
export function metadataAnnouncesVideo(tag: FlvTag): boolean | null {
  if (tag.type !== TAG_SCRIPT || tag.data.length > MAX_METADATA_BYTES) return null;
  let values;
  try {
    values = decodeAmf0(tag.data);
  } catch {
    return null;
  }
  // "@setDataFrame" comes first when a publisher's data message is passed on as is.
  const i = values.findIndex((v) => v === 'onMetaData');
  const meta = i >= 0 ? values[i + 1] : undefined;
  if (!meta || !isAmfObject(meta)) return null;
  const codec = meta.videocodecid;
  const width = meta.width;
  return (typeof codec === 'number' && codec > 0) || (typeof codec === 'string' && codec !== '') || (typeof width === 'number' && width > 0);
}

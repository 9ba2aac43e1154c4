// The one entry point the media worker uses: a reader chosen by URL scheme.

import type { ReaderEvents, ReaderOptions, StreamReader } from './types';
import { RtmpReader } from './rtmp/client';

export { readGapFor } from './rtmp/client';
import { HttpFlvReader } from './httpflv/reader';

/** Creates (does not start) a reader for rtmp:, rtmps:, http: or https: URLs; other schemes fail with -2302 on start(). */
export function createReader(url: string, events: ReaderEvents, opts: ReaderOptions): StreamReader {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return new HttpFlvReader(url, events, opts);
  // RtmpReader also reports unsupported schemes and unparsable URLs as -2302.
  return new RtmpReader(url, events, opts);
}

// Watches a stream address without a pipeline while the player waits for the
// lesson to come back: the daemon's own reader asks for the stream and the
// watch ends at the first media tag. Servers hold a play request for a
// stream not yet published (nginx-rtmp, node-media-server both do), so one
// held connection sees the publisher's return within the network's delay;
// the player's back-off only paces connections that fail.
import { performance } from 'node:perf_hooks';
import type { SourceWatcher, WatchResult } from '../player/engine';
import { createReader } from './reader';
import type { ReaderOptions } from './types';

export interface SourceWatchOptions extends ReaderOptions {
  /** A connection held this long with no media is closed and the watch ends (the player opens another). */
  holdMs: number;
}

// node-media-server holds an HTTP-FLV request for an unpublished stream
// without sending its response headers: a watch's handshake may take as long
// as the hold, or the watch would fail after 5 s and back off to 30 s.
export const DEFAULT_WATCH: SourceWatchOptions = { connectTimeoutMs: 5000, handshakeTimeoutMs: 60_000, holdMs: 60_000 };

/** The SourceWatcher of the running daemon. */
export function createSourceWatcher(opts: SourceWatchOptions = DEFAULT_WATCH): SourceWatcher {
  return {
    watch(src) {
      let settle: (r: WatchResult) => void = () => {};
      const result = new Promise<WatchResult>((resolve) => (settle = resolve));
      const t0 = performance.now();
      let done = false;
      const finish = (live: boolean, detail: string): void => {
        if (done) return;
        done = true;
        clearTimeout(hold);
        reader.close();
        settle({ live, heldMs: Math.round(performance.now() - t0), detail });
      };
      const reader = createReader(
        src,
        {
          connected: () => {},
          started: () => {},
          bytes: () => {},
          // Audio or video: the publisher is back (a server may repeat the
          // old stream's metadata to a new player, so script tags prove
          // nothing). The session that follows waits for its key frame as
          // any start does.
          tag: (tag) => {
            if (tag.type === 8 || tag.type === 9) finish(true, `media arrived (${tag.type === 9 ? 'video' : 'audio'})`);
          },
          ended: (detail) => finish(false, `ended: ${detail}`),
          failed: (f) => finish(false, `${f.kind}: ${f.detail}`),
        },
        opts,
      );
      const hold = setTimeout(() => finish(false, `no media within ${opts.holdMs} ms`), opts.holdMs);
      reader.start();
      return { result, cancel: () => finish(false, 'cancelled') };
    },
  };
}

// A plain reader beside the player: it notes when each video key frame
// arrives on the wire, so that a peer's time to first frame can be split into
// the wait for the key frame (the server's doing) and the player's own cost.
import { createReader } from '../src/media/reader';
import type { FlvTag } from '../src/media/types';

export interface KeyFrameProbe {
  /** performance.now() of every video key frame seen so far. */
  keyFrames: number[];
  /** performance.now() of the first audio or video tag (the stream is flowing). */
  firstTag(): Promise<number>;
  /** The last key frame that arrived at or before `t`, if any. */
  keyFrameBefore(t: number): number | undefined;
  close(): void;
}

/** An AVC key frame carrying picture data (not the sequence header). */
export const isVideoKeyFrame = (tag: FlvTag): boolean => tag.type === 9 && tag.data.length > 1 && tag.data[0] >> 4 === 1 && tag.data[1] === 1;

/** Connects now and records until close(); failures only leave the lists empty. */
export function startKeyFrameProbe(url: string): KeyFrameProbe {
  const keyFrames: number[] = [];
  let resolveFirst: (t: number) => void = () => undefined;
  const first = new Promise<number>((r) => (resolveFirst = r));
  const reader = createReader(
    url,
    {
      connected: () => undefined,
      started: () => undefined,
      bytes: () => undefined,
      tag: (tag, arrival) => {
        const now = arrival;
        if (tag.type !== 18) resolveFirst(now);
        if (isVideoKeyFrame(tag)) keyFrames.push(now);
      },
      ended: () => undefined,
      failed: () => undefined,
    },
    // Long timeouts: on a server without the stream (publisher restarting) the play just waits.
    { connectTimeoutMs: 5000, handshakeTimeoutMs: 60000 },
  );
  reader.start();
  return {
    keyFrames,
    firstTag: () => first,
    keyFrameBefore: (t) => [...keyFrames].reverse().find((k) => k <= t),
    close: () => reader.close(),
  };
}

// A daemon playing a live stream of colour bars, for tests that look at the
// picture (its geometry, the pairing card in it) rather than at how a
// session starts.
import { startDaemon, type DaemonOptions, type RunningDaemon, type Subscription } from './daemon';
import { publishedStream, type PublishedStream } from './media-servers';

export interface PlayingBars {
  d: RunningDaemon;
  sub: Subscription;
  stream: PublishedStream<'nginx'>;
}

/**
 * Publishes ffmpeg's smptebars at 640x360 (16:9, grey bar on the left, blue
 * bar on the right) on nginx-rtmp as stream `name`, starts a daemon with
 * `daemon`, plays the stream and resolves once it shows its first picture
 * (2004). The test's teardown stops the daemon, the publisher and the server.
 */
export async function playingBars(t: { teardown(fn: () => unknown): void }, o: { name?: string; daemon?: DaemonOptions } = {}): Promise<PlayingBars> {
  const stream = await publishedStream(t, { server: 'nginx', name: o.name ?? 'bars', pub: { pattern: 'smptebars', width: 640, height: 360 } });
  const d = await startDaemon(o.daemon);
  t.teardown(() => d.stop());
  const sub = await d.subscribe();
  await d.api('PATCH', '/api/v1/player', { src: stream.url });
  await d.api('POST', '/api/v1/player/play');
  await sub.waitForCode(2004, 20000);
  return { d, sub, stream };
}

// The bench's media: nginx-rtmp (no GOP cache) and node-media-server (GOP
// cache) fed by ONE ffmpeg publisher through the tee muxer, so the encoder
// costs the 2-core machine once, not twice. The stream is a typical classroom
// lesson, the same in every run so runs compare: 1280x720, 30 fps, 2 Mb/s,
// GOP 2 s, AAC (docs/performance.md).
import { DEFAULT_PUBLISHER, publisherArgs, spawnManaged, startNginxRtmp, startNodeMediaServer, waitForStream, type Managed, type NginxRtmp, type NodeMediaServer } from '../test/helpers/media-servers';

export const BENCH_STREAM = { ...DEFAULT_PUBLISHER, width: 1280, height: 720, fps: 30, bitrateKbps: 2000, gopSeconds: 2, audio: true, audioKbps: 128 };

/** A source the players are measured on. */
export interface Source {
  key: 'nginx-rtmp' | 'nms-rtmp' | 'nms-flv';
  url: string;
  /** A GOP-cache server answers with the last key frame at once. */
  gopCache: boolean;
}

export interface BenchMedia {
  nginx: NginxRtmp;
  nms: NodeMediaServer;
  sources: Source[];
  publisher(): Managed;
  /** Kills the publisher (SIGKILL: an abrupt loss, as a crashed camera). */
  killPublisher(): Promise<void>;
  /** Starts a new publisher; resolves at spawn. */
  restartPublisher(): void;
  waitReadable(): Promise<void>;
  stop(): Promise<void>;
}

const NAME = 'bench';

/** The helper's ffmpeg line with its single flv output replaced by a tee to both servers. */
function teeArgs(urls: string[]): string[] {
  const args = publisherArgs('unused', BENCH_STREAM);
  const head = args.slice(0, args.length - 3); // drop: -f flv <url>
  // onfail=ignore: one server going away must not stop the other's stream.
  const tee = urls.map((u) => `[f=flv:onfail=ignore]${u}`).join('|');
  return [...head, '-map', '0:v', '-map', '1:a', '-flags', '+global_header', '-f', 'tee', tee];
}

/** Starts both servers and the publisher, and waits until every source can be read. */
export async function startBenchMedia(): Promise<BenchMedia> {
  const nginx = await startNginxRtmp();
  let nms: NodeMediaServer | null = null;
  let pub: Managed | null = null;
  try {
    nms = await startNodeMediaServer();
    const urls = [nginx.rtmpUrl(NAME), nms.rtmpUrl(NAME)];
    pub = spawnManaged('ffmpeg', teeArgs(urls));
    const sources: Source[] = [
      { key: 'nginx-rtmp', url: nginx.rtmpUrl(NAME), gopCache: false },
      { key: 'nms-rtmp', url: nms.rtmpUrl(NAME), gopCache: true },
      { key: 'nms-flv', url: nms.flvUrl(NAME), gopCache: true },
    ];
    const waitReadable = async () => {
      for (const s of sources) await waitForStream(s.url, 20000, 3000);
    };
    await waitReadable();
    const media: BenchMedia = {
      nginx,
      nms,
      sources,
      publisher: () => pub!,
      killPublisher: async () => {
        await pub!.stop('SIGKILL', 1000);
      },
      restartPublisher: () => {
        pub = spawnManaged('ffmpeg', teeArgs(urls));
      },
      waitReadable,
      stop: async () => {
        await pub?.stop('SIGTERM', 2000);
        await nms!.stop();
        await nginx.stop();
      },
    };
    return media;
  } catch (e) {
    await pub?.stop('SIGKILL', 500);
    await nms?.stop();
    await nginx.stop();
    throw new Error(`bench media did not start: ${(e as Error).message}\n${pub?.stderr() ?? ''}`);
  }
}

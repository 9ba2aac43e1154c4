// A once-a-minute info line while a stream is on: what the per-second
// progress (2005, logged at debug) and netstatus add up to, so an admin
// reading journald sees that the TV played, how well, and what went wrong,
// without 60 progress lines a minute.
import type { Logger } from 'pino';
import type { LivePlayer } from './player/player';
import { isActive, type PlayerState } from './player/state';

export interface SummaryOptions {
  /** Default 60 s. */
  intervalMs?: number;
}

export class PlaySummary {
  private timer: NodeJS.Timeout | null = null;
  private samples = 0;
  private sums = { videoFPS: 0, renderFPS: 0, netSpeed: 0 };
  private codes: Record<string, number> = {};
  private readonly intervalMs: number;
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly player: LivePlayer,
    private readonly log: Logger,
    opts: SummaryOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 60_000;
  }

  /** The daemon calls this once after building the player. */
  start(): void {
    const onState = ({ state }: { state: PlayerState }) => (isActive(state) ? this.arm() : this.disarm());
    const onNet = ({ info }: { info: Record<string, number> }) => {
      this.samples++;
      for (const k of Object.keys(this.sums) as (keyof typeof this.sums)[]) this.sums[k] += Number.isFinite(info[k]) ? info[k]! : 0;
    };
    const onCode = ({ code }: { code: number }) => {
      if (code !== 2005) this.codes[code] = (this.codes[code] ?? 0) + 1;
    };
    this.player.on('state', onState);
    this.player.on('netstatus', onNet);
    this.player.on('statechange', onCode);
    this.offs.push(() => this.player.off('state', onState), () => this.player.off('netstatus', onNet), () => this.player.off('statechange', onCode));
    if (isActive(this.player.state)) this.arm();
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
    this.disarm();
  }

  private arm(): void {
    if (this.timer) return;
    this.reset();
    this.timer = setInterval(() => this.report(), this.intervalMs);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private reset(): void {
    this.samples = 0;
    this.sums = { videoFPS: 0, renderFPS: 0, netSpeed: 0 };
    this.codes = {};
  }

  private report(): void {
    const avg = (k: keyof typeof this.sums) => (this.samples ? Math.round((this.sums[k] / this.samples) * 10) / 10 : 0);
    const host = (() => {
      try {
        return new URL(this.player.attributes.src).host;
      } catch {
        return '';
      }
    })();
    this.log.info(
      { state: this.player.state, host, seconds: Math.round(this.intervalMs / 1000), samples: this.samples, fps: avg('videoFPS'), renderFps: avg('renderFPS'), kbps: avg('netSpeed'), codes: this.codes },
      'playback summary',
    );
    this.reset();
  }
}

// What the profiling scripts share: the bench's media servers and publisher,
// one daemon, and everything stopped again on the way out or on Ctrl-C.
import { startBenchDaemon } from './daemon';
import { onInterrupt } from './cleanup';
import { startBenchMedia, type BenchMedia } from './servers';
import type { DaemonOptions, RunningDaemon } from '../test/helpers/daemon';

/** Runs `body` with the bench media and a started daemon; stops both afterwards, whatever happens. */
export async function withBenchRig(opts: Omit<DaemonOptions, 'stateDir'>, body: (media: BenchMedia, d: RunningDaemon) => Promise<void>): Promise<void> {
  const media = await startBenchMedia();
  const d = await startBenchDaemon(opts).catch(async (e: Error) => {
    await media.stop();
    throw e;
  });
  const unregister = onInterrupt(async () => {
    await d.stop();
    await media.stop();
  });
  try {
    await body(media, d);
  } finally {
    unregister();
    await d.stop();
    await media.stop();
  }
}

/** The entry point of a bench script: a failure prints its stack and exits 1. */
export function runScript(main: () => Promise<void>): void {
  void main().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}

// Stops what the bench started even when it is interrupted: Ctrl-C or a
// SIGTERM runs every registered stop (newest first), then exits. Without it a
// signal would end node at once and leave servers and daemons behind.
type Stop = () => Promise<void>;
const stops: Stop[] = [];
let installed = false;

/** Registers `stop`; returns a function that unregisters it (call after stopping normally). */
export function onInterrupt(stop: Stop): () => void {
  if (!installed) {
    installed = true;
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        process.stderr.write(`\n${sig}: stopping what the bench started\n`);
        void (async () => {
          for (const s of [...stops].reverse()) await s().catch(() => undefined);
          // 'exit' handlers of the helpers then SIGKILL anything still alive.
          process.exit(130);
        })();
      });
    }
  }
  stops.push(stop);
  return () => {
    const i = stops.indexOf(stop);
    if (i >= 0) stops.splice(i, 1);
  };
}

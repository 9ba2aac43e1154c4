// The arguments that make the command print or change something and exit
// instead of running the daemon. Apart from load.ts so that the entry point
// can tell them without loading the configuration's schema.

export type Action = 'run' | 'help' | 'version' | 'rotate-token';

export const ACTIONS: Readonly<Record<string, Action>> = { '--help': 'help', '-h': 'help', '--version': 'version', '--rotate-token': 'rotate-token' };

/** Whether the arguments look like a run, before they are parsed (the parsed action decides; a wrong guess only costs a process). */
export function looksLikeRun(argv: readonly string[]): boolean {
  return !argv.some((a) => ACTIONS[a] !== undefined);
}

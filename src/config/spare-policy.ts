// Whether a started media worker and TV card process stand by while a lesson
// plays. They buy a warm src switch (about 130 ms instead of 420-470 ms), a
// warm restart after a failed hardware decoder and the next card at once;
// they cost about 40 MiB of PSS (docs/performance.md). `auto` keeps them on
// a board with room and gives them up on the fleet's smallest (a Pi Zero 2 W
// has 512 MB shared with the GPU, so Linux sees ~430-480 MB; a Pi 3 ~900 MB).

export type SparePref = 'auto' | 'playing' | 'idle';
export type SparePolicy = 'playing' | 'idle';

/** Below this much memory `auto` means `idle`. */
export const SMALL_BOARD_MIB = 768;

/**
 * The memory the daemon can use: the machine's, or a container's limit
 * when lower (`process.constrainedMemory()` reads the cgroup; an unlimited
 * cgroup reports a huge number, and no cgroup 0 or undefined).
 */
export function usableMemoryBytes(total: number, constrained: number | undefined): number {
  return constrained !== undefined && constrained > 0 && constrained < total ? constrained : total;
}

/** The policy for `pref` on a machine with `memoryBytes` to use. */
export function resolveSparePolicy(pref: SparePref, memoryBytes: number): SparePolicy {
  if (pref !== 'auto') return pref;
  return memoryBytes < SMALL_BOARD_MIB * 1024 * 1024 ? 'idle' : 'playing';
}

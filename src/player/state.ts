// The player's own state, kept apart from the pipeline's states (as GstPlay
// does): what a user would say the player is doing.

export const PLAYER_STATES = ['idle', 'connecting', 'playing', 'paused', 'reconnecting', 'stopped', 'error', 'waiting'] as const;
export type PlayerState = (typeof PLAYER_STATES)[number];

/** States in which a media session exists. */
export const ACTIVE_STATES: ReadonlySet<PlayerState> = new Set(['connecting', 'playing', 'paused', 'reconnecting']);

/**
 * `waiting`: the user still wants the lesson, the stream is gone (it ended,
 * or reconnecting gave up), and the player watches the source without a
 * media session until it comes back. No session exists, so it is not active.
 */
export function isActive(s: PlayerState): boolean {
  return ACTIVE_STATES.has(s);
}

// How the `liveplayerd` command ends when it cannot start; read by the CLI
// and by the test that checks the systemd unit against them.

/**
 * Exit codes that a restart cannot fix; systemd/liveplayerd.service lists
 * them in RestartPreventExitStatus= so they never become a restart loop.
 * 2: a bad option (the message names it). 78 (EX_CONFIG): the daemon cannot
 * run here as configured (the HTTP address cannot be bound: taken, not this
 * device's, or a privileged port). Any other failure exits 1 and is retried.
 * A broken state dir is none of these: the daemon runs degraded (/healthz).
 */
export const EXIT_BAD_CONFIG = 2;
export const EXIT_CANNOT_RUN = 78;

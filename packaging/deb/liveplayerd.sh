#!/bin/sh
# The daemon with Debian's node; exec so that node is the unit's main process
# (sd_notify READY and WATCHDOG come from it).
# A 1 MiB young generation: the daemon's PSS while playing falls from ~44 to
# ~31 MiB (docs/performance.md); its media workers get their own flags.
exec /usr/bin/node --max-semi-space-size=1 /usr/lib/liveplayerd/dist/src/cli.js "$@"

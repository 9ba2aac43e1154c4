#!/bin/sh
# The daemon with Debian's node; exec so that node is the unit's main process
# (sd_notify READY and WATCHDOG come from it).
exec /usr/bin/node /usr/lib/liveplayerd/dist/src/cli.js "$@"

#!/usr/bin/env node
// The `liveplayerd` command's entry point. The first media worker is forked
// before anything else loads, so that its start overlaps the daemon's own
// (see gst/control/early-worker.ts); the command is in command.ts.
import { looksLikeRun } from './config/actions';
import { forkEarlyWorker } from './gst/control/early-worker';

if (looksLikeRun(process.argv.slice(2))) forkEarlyWorker();
// Loaded after the fork: a static import would load first.
void import('./command');

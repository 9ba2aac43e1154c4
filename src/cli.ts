#!/usr/bin/env node
// The `liveplayerd` command: read the configuration (exit 2 naming every bad
// option), run the daemon, stop it on SIGTERM/SIGINT and exit 0.
import { ConfigError, loadConfig, USAGE } from './config/load';
import { rootLogger } from './log';
import { startDaemon } from './daemon';
import { rotateToken } from './os/token';
import { packageVersion } from './version';
import { gstreamerVersion } from './gst/probe';

/** However the parts behave, the process is gone this long after a stop signal. */
const HARD_EXIT_MS = 1800;

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`liveplayerd: ${err.problems.join('; ')}\n`);
      process.exit(2);
    }
    throw err;
  }
  const { config, action } = loaded;
  if (action === 'help') {
    process.stdout.write(`${USAGE()}\n`);
    return;
  }
  if (action === 'version') {
    process.stdout.write(`liveplayerd ${packageVersion()}\nNode.js ${process.versions.node}, GStreamer ${await gstreamerVersion()}\n`);
    return;
  }
  if (action === 'rotate-token') {
    rotateToken(config.stateDir);
    process.stdout.write(`liveplayerd: new token written to ${config.stateDir}/token\n`);
    return;
  }

  const log = rootLogger(config.logLevel, config.logFormat);
  const daemon = await startDaemon(config, log);
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'stopping');
    setTimeout(() => process.exit(0), HARD_EXIT_MS).unref();
    daemon.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'stop failed');
        process.exit(0);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

main().catch((err: Error) => {
  process.stderr.write(`liveplayerd: ${err.message}\n`);
  process.exit(1);
});

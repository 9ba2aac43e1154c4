// The `liveplayerd` command (entered through cli.ts): read the configuration
// (exit 2 naming every bad option), run the daemon, stop it on SIGTERM/SIGINT
// and exit 0.
import { ConfigError, loadConfig, USAGE } from './config/load';
import { rootLogger } from './log';
import { startDaemon } from './daemon';
import { rotateToken } from './os/token';
import { EXIT_BAD_CONFIG, EXIT_CANNOT_RUN } from './os/exit-codes';
import { packageVersion } from './version';
import { gstreamerVersion } from './gst/control/probe';
import { dropEarlyWorker } from './gst/control/early-worker';

/** However the parts behave, the process is gone this long after a stop signal. */
const HARD_EXIT_MS = 1800;

const CANNOT_RUN = new Set(['EACCES', 'EADDRINUSE', 'EADDRNOTAVAIL']);

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(process.argv.slice(2));
  } catch (err) {
    dropEarlyWorker();
    if (err instanceof ConfigError) {
      process.stderr.write(`liveplayerd: ${err.problems.join('; ')}\n`);
      process.exit(EXIT_BAD_CONFIG);
    }
    throw err;
  }
  const { config, action } = loaded;
  if (action !== 'run') dropEarlyWorker();
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
  let daemon;
  try {
    daemon = await startDaemon(config, log);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code && CANNOT_RUN.has(e.code) && e.syscall === 'listen') {
      log.fatal({ err, http: config.http }, 'cannot listen on the HTTP address; fix --http (LIVEPLAYER_HTTP) and restart');
      process.stderr.write(`liveplayerd: cannot listen on ${config.http} (${e.code}); fix --http / LIVEPLAYER_HTTP\n`);
      process.exit(EXIT_CANNOT_RUN);
    }
    throw err;
  }
  const running = daemon;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal (an impatient admin, systemd and a terminal at once)
    // must not cut the shutdown short: the first one already ends in exit 0.
    if (stopping) {
      log.info({ signal }, 'already stopping');
      return;
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    setTimeout(() => process.exit(0), HARD_EXIT_MS).unref();
    running.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'stop failed');
        process.exit(0);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((err: Error) => {
  process.stderr.write(`liveplayerd: ${err.message}\n`);
  process.exit(1);
});

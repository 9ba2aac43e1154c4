// A private dbus-daemon for integration tests, so they never depend on (or
// disturb) the machine's own buses. `defaults: 'system'` reproduces the
// deny-by-default rules of /usr/share/dbus-1/system.conf, so a policy file
// passed in `includes` is tested the way the real system bus would apply it;
// `defaults: 'session'` lets everyone do everything (adapter tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DbusDaemonOptions {
  defaults?: 'system' | 'session';
  /** Policy files to `<include>` after the defaults, e.g. systemd/org.liveplayerd.conf. */
  includes?: string[];
}

export interface DbusDaemon {
  /** The address for DBUS_*_BUS_ADDRESS, dbus-next's busAddress or `gdbus --address`. */
  address: string;
  socketPath: string;
  dir: string;
  stop(): Promise<void>;
}

// The system.conf default context, minus what needs the real system
// (user switch, fork, pidfile, activation helper).
const SYSTEM_DEFAULTS = `
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="UpdateActivationEnvironment"/>
  </policy>`;

const SESSION_DEFAULTS = `
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>`;

function config(socketPath: string, opts: DbusDaemonOptions): string {
  const includes = (opts.includes ?? []).map((f) => `  <include>${f}</include>`).join('\n');
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>custom</type>
  <listen>unix:path=${socketPath}</listen>
  <auth>EXTERNAL</auth>
${opts.defaults === 'session' ? SESSION_DEFAULTS : SYSTEM_DEFAULTS}
${includes}
</busconfig>
`;
}

/** Starts dbus-daemon on a socket in a fresh temp dir; resolves once it accepts connections. */
export async function startDbusDaemon(opts: DbusDaemonOptions = {}): Promise<DbusDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'lp-dbus-'));
  // Tests connect as other users (setpriv/runuser): they must reach the socket.
  chmodSync(dir, 0o755);
  const socketPath = join(dir, 'bus');
  const configPath = join(dir, 'bus.conf');
  writeFileSync(configPath, config(socketPath, opts));
  // --pdeathsig: if the test process dies without its teardown (a timeout,
  // a crash), the daemon goes with it instead of lingering.
  const child = spawn(
    'setpriv',
    ['--pdeathsig', 'TERM', '--', 'dbus-daemon', '--nofork', '--nopidfile', `--config-file=${configPath}`, '--print-address=1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const onExit = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const address = await firstLine(child, () => stderr);
    // dbus-daemon makes path sockets 0777 itself; this is belt and braces.
    chmodSync(socketPath, 0o777);
    return {
      address,
      socketPath,
      dir,
      stop: () => {
        process.removeListener('exit', onExit);
        return stop(child, dir);
      },
    };
  } catch (err) {
    process.removeListener('exit', onExit);
    await stop(child, dir);
    throw err;
  }
}

function firstLine(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`dbus-daemon did not start: ${stderr()}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl).trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dbus-daemon exited with ${code}: ${stderr()}`));
    });
  });
}

async function stop(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  }
  rmSync(dir, { recursive: true, force: true });
}

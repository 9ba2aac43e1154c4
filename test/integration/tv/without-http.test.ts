// The TV tells the class what happens even when the HTTP surface is off
// (a board driven only through D-Bus or by its configuration): the idle
// card with the name and the state, with no QR code since there is no
// phone remote to pair with, and the words of a failure when the
// configured stream cannot be reached. Read from a real Xvfb screen.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { CLI } from '../../helpers/daemon';
import { closedPort } from '../../helpers/tcp-servers';
import { keepShot, litShare, qrIn, readUntil, screenshot, startXvfb } from '../../helpers/tv';

function daemon(args: string[], display: string, env: Record<string, string> = {}): { stop(): Promise<void>; log(): string } {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'lp-nohttp-'));
  const proc = spawn(process.execPath, [CLI, '--http', 'off', '--dbus', 'off', '--video-sink', 'x', '--audio-sink', 'fake', '--state-dir', stateDir, ...args], {
    env: { ...process.env, ...env, DISPLAY: display },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const reap = () => proc.kill('SIGKILL');
  process.once('exit', reap);
  proc.once('exit', () => rmSync(stateDir, { recursive: true, force: true }));
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20000)));
  proc.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20000)));
  return {
    log: () => out,
    stop: () =>
      new Promise((resolve) => {
        process.removeListener('exit', reap);
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

t.test('with HTTP off the TV shows the idle card (no QR code) and the words of a failure', async (t) => {
  const x = await startXvfb(1920, 1080);
  t.teardown(() => x.stop());
  const d = daemon(['--language', 'en', '--name', 'Room 7C'], x.display);
  t.teardown(() => d.stop());

  // A cold card process on a loaded machine can take several seconds.
  const idle = await readUntil(() => screenshot(x.display), /Room 7C/, undefined, 40000);
  keepShot(idle.shot.png, 'tv-nohttp-idle-en.png');
  t.match(idle.text, /Room 7C/, `the card names the TV (read: ${idle.text.slice(0, 120)})`);
  t.match(idle.text, /Ready/, 'and says it is ready');
  t.notMatch(idle.text, /Remote control|Scan the code/, 'no phone-remote lines: there is nothing to pair with');
  t.match(idle.text, /No stream is playing/, 'it says that nothing plays instead');
  t.equal(qrIn(idle.shot), null, 'no QR code on the card');
  t.ok(litShare(idle.shot) > 0.9, `the card fills the 1920x1080 screen (${(litShare(idle.shot) * 100).toFixed(1)} % lit)`);
  t.match(d.log(), /"display"/, 'the daemon logged the display it chose');
  await d.stop();

  // A stream set by configuration that nothing serves: the TV says why.
  const port = await closedPort();
  const failing = daemon(['--language', 'en', '--name', 'Room 7C', '--src', `rtmp://127.0.0.1:${port}/live/class1`, '--rejoin', 'off', '--reconnect-attempts', '0'], x.display, { LIVEPLAYER_AUTOPLAY: 'true' });
  t.teardown(() => failing.stop());
  const failed = await readUntil(() => screenshot(x.display), /refused the/, undefined, 30000);
  keepShot(failed.shot.png, 'tv-nohttp-failed-refused-en.png');
  t.match(failed.text, /refused the/, `a failure: its cause in words (read: ${failed.text.slice(0, 120)})`);
});

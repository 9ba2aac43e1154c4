// How the daemon process ends: a second SIGTERM (and a SIGINT) during
// shutdown still ends in exit 0; an HTTP address it cannot bind exits 78 and
// a bad option 2 (the codes systemd/liveplayerd.service does not restart),
// each with one line on stderr and no stack trace, also from the spare media
// worker that was starting when the daemon gave up.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { CLI, startDaemon } from '../../helpers/daemon';
import { EXIT_BAD_CONFIG, EXIT_CANNOT_RUN } from '../../../src/os/exit-codes';

t.setTimeout(120_000);

function stateDir(t: Test): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lp-exit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the CLI to its end; resolves once the process exited and every holder of its stderr (a worker too) let go. */
function runToEnd(args: string[]): Promise<{ code: number | null; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const proc = spawn(process.execPath, [CLI, '--dbus', 'off', '--video-sink', 'fake', '--audio-sink', 'fake', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - t0 });
    });
  });
}

t.test('a second SIGTERM during shutdown still ends in exit 0', async (t) => {
  for (const second of ['SIGTERM', 'SIGINT'] as const) {
    const d = await startDaemon({ stateDir: stateDir(t) });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => d.proc.once('exit', (code, signal) => r({ code, signal })));
    d.proc.kill('SIGTERM');
    // The second signal comes once the first is being handled (shutdown under way).
    const deadline = Date.now() + 5000;
    while (!d.logs().some((l) => l.includes('"msg":"stopping"')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    d.proc.kill(second);
    const r = await exited;
    t.same(r, { code: 0, signal: null }, `SIGTERM then ${second}: exit 0, not killed by the signal`);
    t.ok(d.logs().some((l) => l.includes('already stopping')), 'the second signal is logged and ignored');
  }
});

t.test('an HTTP address that cannot be bound exits 78, one line, no stack trace', async (t) => {
  const holder = net.createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  t.teardown(() => holder.close());
  const port = (holder.address() as net.AddressInfo).port;
  const r = await runToEnd(['--http', `127.0.0.1:${port}`, '--state-dir', stateDir(t)]);
  t.equal(r.code, EXIT_CANNOT_RUN, `exit ${r.code} after ${r.ms} ms`);
  t.match(r.stderr, new RegExp(`^liveplayerd: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\); fix --http / LIVEPLAYER_HTTP\\n$`), r.stderr);
  t.notMatch(r.stderr, /EPIPE|    at /, 'no stack trace (the spare media worker was stopped first)');
});

t.test('a bad option exits 2 with one line naming it', async (t) => {
  const r = await runToEnd(['--http', '127.0.0.1:0', '--stall-timeout', 'soon', '--state-dir', stateDir(t)]);
  t.equal(r.code, EXIT_BAD_CONFIG);
  t.match(r.stderr, /^liveplayerd: --stall-timeout expects a number, got "soon"\n$/);
});

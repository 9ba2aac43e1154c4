// Regression: a test process died of SIGABRT in CI after all its D-Bus
// subtests passed (`uv__finish_close: Assertion ... UV_HANDLE_CLOSING`).
// dbus-next's native usocket transport frees a libuv handle while closing
// it when a connection is garbage-collected after the bus went away. The
// daemon now connects through net.Socket (src/dbus/bus-address.ts). This
// runs the cycle that reproduced the abort (1 run in 3 before the fix) in a
// child process: start the real D-Bus service, call it with gdbus, kill the
// bus first on every other cycle, force a GC; the child must exit 0 and
// must never have loaded usocket.
import t from 'tap';
import { spawn } from 'node:child_process';

const CYCLES = 60;

const child = `
const h = require(${JSON.stringify(require.resolve('../../helpers/dbus-harness'))});
const keep = setInterval(() => {}, 1000);
(async () => {
  for (let i = 0; i < ${CYCLES}; i++) {
    const s = await h.startService();
    const r = await h.gcall(s.env, h.IFACE + '.Mute');
    if (r.code !== 0) throw new Error('Mute failed: ' + r.stderr);
    if (i % 2) { await s.daemon.stop(); await s.service.stop(); await s.player.shutdown(); }
    else await s.stop();
    global.gc();
    await new Promise((r) => setTimeout(r, 20));
    global.gc();
  }
  const usocket = Object.keys(require.cache).filter((k) => k.includes('/usocket/'));
  process.stdout.write(JSON.stringify({ cycles: ${CYCLES}, usocket }) + '\\n');
  clearInterval(keep);
})().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\\n'); process.exit(3); });
`;

t.test(`${CYCLES} start/stop cycles with the bus dying first and forced GCs end cleanly`, async (t) => {
  const p = spawn(process.execPath, ['--expose-gc', '-e', child], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => p.on('exit', (c, s) => resolve([c, s])));
  t.equal(signal, null, `no signal (stderr: ${err.slice(-400)})`);
  t.equal(code, 0, err.slice(-400));
  const line = out.trim().split('\n').at(-1) ?? '{}';
  const report = JSON.parse(line) as { cycles?: number; usocket?: string[] };
  t.equal(report.cycles, CYCLES);
  t.same(report.usocket, [], 'the native usocket transport was never loaded');
});

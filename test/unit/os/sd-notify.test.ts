// sd_notify against a real unix datagram socket named by NOTIFY_SOCKET: the
// messages systemd would see, the watchdog rate, and that a blocked event
// loop stops the pings (the reason the watchdog exists).
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createNotifier } from '../../../src/os/sd-notify';
import { sleep } from '../../helpers/time';

interface Received {
  msg: string;
  at: number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dgram = require('unix-dgram') as {
  createSocket(type: 'unix_dgram', fn: (buf: Buffer) => void): { bind(p: string): void; close(): void; on(e: string, f: (e: Error) => void): void };
};

/** A stand-in for systemd's notify socket: records every datagram with its arrival time. */
function listen(t: Test): { path: string; got: Received[] } {
  const dir = mkdtempSync(join(tmpdir(), 'lp-notify-'));
  const path = join(dir, 'notify');
  const got: Received[] = [];
  const sock = dgram.createSocket('unix_dgram', (buf) => got.push({ msg: buf.toString(), at: Date.now() }));
  sock.on('error', (err) => t.error(err));
  sock.bind(path);
  t.teardown(() => {
    sock.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { path, got };
}

const silent = pino({ level: 'silent' });
const pings = (got: Received[]) => got.filter((r) => r.msg === 'WATCHDOG=1');
const gaps = (xs: Received[]) => xs.slice(1).map((r, i) => r.at - xs[i]!.at);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

t.test('without NOTIFY_SOCKET nothing is sent and nothing throws', async (t) => {
  const { got } = listen(t);
  const n = createNotifier(silent, { WATCHDOG_USEC: '100000' });
  n.ready('x');
  n.status('y');
  n.stopping();
  await sleep(200);
  n.close();
  t.same(got, []);
});

t.test('READY, STATUS, WATCHDOG at half the interval, STOPPING, then silence', async (t) => {
  const { path, got } = listen(t);
  const n = createNotifier(silent, { NOTIFY_SOCKET: path, WATCHDOG_USEC: '100000' });
  t.teardown(() => n.close());
  await sleep(150);
  t.same(got, [], 'no ping before ready()');
  n.ready('serving on :8080');
  await sleep(20);
  t.equal(got[0]?.msg, 'READY=1\nSTATUS=serving on :8080', 'READY with the status');
  await sleep(1000);
  const p = pings(got);
  // Bounds allow for a loaded CI machine delaying timers, never for extra pings.
  t.ok(p.length >= 12 && p.length <= 21, `about 20 pings in 1 s at 50 ms (got ${p.length})`);
  const m = median(gaps(p));
  t.ok(m >= 45 && m <= 80, `median gap ${m} ms is half of WATCHDOG_USEC`);
  n.status('line one\nline two');
  n.stopping();
  await sleep(20);
  t.ok(got.some((r) => r.msg === 'STATUS=line one line two'), 'a status stays on one line');
  t.ok(got.some((r) => r.msg === 'STOPPING=1'), 'STOPPING');
  n.close();
  const before = got.length;
  await sleep(300);
  t.equal(got.length, before, 'close() stops the pings');
});

t.test('no watchdog when WATCHDOG_PID names another process', async (t) => {
  const { path, got } = listen(t);
  const n = createNotifier(silent, { NOTIFY_SOCKET: path, WATCHDOG_USEC: '100000', WATCHDOG_PID: String(process.pid + 1) });
  t.teardown(() => n.close());
  n.ready();
  await sleep(300);
  t.same(got.map((r) => r.msg), ['READY=1']);
});

t.test('an abstract socket name is refused with a warning, not a throw', async (t) => {
  const n = createNotifier(silent, { NOTIFY_SOCKET: '@lp-test-notify', WATCHDOG_USEC: '100000' });
  t.doesNotThrow(() => {
    n.ready();
    n.close();
  });
});

// The child runs the real notifier, then busy-waits: a stuck event loop.
const BLOCK_MS = 1500;
const CHILD = `
const { createNotifier } = require(${JSON.stringify(require.resolve('../../../src/os/sd-notify'))});
const pino = require(${JSON.stringify(require.resolve('pino'))});
const n = createNotifier(pino({ level: 'silent' }));
n.ready();
const keep = setInterval(() => {}, 1000);
setTimeout(() => {
  const start = Date.now();
  process.stdout.write(JSON.stringify({ blockStart: start }) + '\\n');
  while (Date.now() - start < ${BLOCK_MS}) {}
  process.stdout.write(JSON.stringify({ blockEnd: Date.now() }) + '\\n');
  setTimeout(() => { n.stopping(); n.close(); clearInterval(keep); }, 600);
}, 600);
`;

t.test('a blocked event loop stops the watchdog pings', async (t) => {
  const { path, got } = listen(t);
  const child = spawn(process.execPath, ['-e', CHILD], {
    env: { ...process.env, NOTIFY_SOCKET: path, WATCHDOG_USEC: '200000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise((r) => child.once('exit', r));
  t.equal(code, 0, 'child exits cleanly');
  const marks = out.trim().split('\n').map((l) => JSON.parse(l) as { blockStart?: number; blockEnd?: number });
  const blockStart = marks.find((m) => m.blockStart)!.blockStart!;
  const blockEnd = marks.find((m) => m.blockEnd)!.blockEnd!;
  const p = pings(got);
  const during = p.filter((r) => r.at > blockStart + 50 && r.at < blockEnd);
  t.same(during, [], 'no ping arrives while the loop is blocked');
  const before = p.filter((r) => r.at <= blockStart + 50);
  const after = p.filter((r) => r.at >= blockEnd);
  t.ok(before.length >= 3, `pings before the block (${before.length})`);
  t.ok(after.length >= 3, `pings resume after it (${after.length})`);
  // The pace over the whole run before the block: arrival times are the
  // receiver's, and on a loaded machine datagrams queued behind a busy test
  // process arrive together (a median gap of 24 ms was seen), but their
  // number over the time stays that of one ping per half watchdog period.
  const beforeGap = (before[before.length - 1]!.at - before[0]!.at) / (before.length - 1);
  t.ok(beforeGap >= 70 && beforeGap <= 160, `pings every ${beforeGap.toFixed(0)} ms on average before the block (${before.length} pings)`);
  const longest = Math.max(...gaps(p));
  t.ok(longest >= BLOCK_MS - 150, `longest gap ${longest} ms spans the ${BLOCK_MS} ms block`);
  t.ok(got.some((r) => r.msg === 'STOPPING=1'), 'STOPPING at the end');
});

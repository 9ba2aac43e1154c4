// The first media worker is forked before the daemon loads its modules and
// adopted as the first spare: what it said before the adoption (its
// "ready") and how it ended are not lost; a run that ends early (--help,
// --version, a bad option) leaves no worker behind; a daemon started with a
// stream plays it on that very worker; and HTTP comes up after the start-up
// play's first picture, or after 1.5 s of a start that hangs.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import pino from 'pino';
import { WorkerProcess } from '../../../src/gst/control/child-process';
import { forkEarlyWorker, takeEarlyWorker } from '../../../src/gst/control/early-worker';
import { CLI, startDaemon } from '../../helpers/daemon';
import { publishedStream } from '../../helpers/media-servers';
import { children } from '../../helpers/proc-memory';
import { sleep } from '../../helpers/time';
import { startSilentServer } from '../../helpers/tcp-servers';

const log = pino({ level: 'silent' });

/** The processes whose environment carries `mark`. */
function marked(mark: string): number[] {
  const found: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/environ`, 'latin1').split('\0').includes(mark)) found.push(Number(d));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

t.test('a "ready" said before the adoption still counts', async (t) => {
  forkEarlyWorker();
  // Long enough for the worker to load the binding and say so with nobody listening but the holder.
  await sleep(3000);
  const early = takeEarlyWorker();
  t.ok(early, 'the early worker is there to take');
  t.ok(early!.held.some((m) => (m as { t?: string }).t === 'ready'), 'its "ready" was held');
  t.equal(takeEarlyWorker(), null, 'and it is taken once');
  const exits: string[] = [];
  const w = new WorkerProcess(log, (_, why) => exits.push(why), early!);
  t.teardown(() => w.kill());
  const ready = await Promise.race([w.ready.then(() => true), sleep(500).then(() => false)]);
  t.ok(ready, 'the adopted worker is ready at once');
  t.equal(w.pid, early!.child.pid, 'the same process');
  t.same(exits, [], 'alive');
});

t.test('an end before the adoption is reported on adoption', async (t) => {
  forkEarlyWorker();
  const early = takeEarlyWorker()!;
  early.child.kill('SIGKILL');
  await sleep(500);
  t.ok(early.ended, 'the holder saw it end');
  const exits: string[] = [];
  const w = new WorkerProcess(log, (_, why) => exits.push(why), early);
  await t.rejects(w.ready, /media worker ended before it was ready \(signal SIGKILL\)/, 'ready fails with the reason');
  t.same(exits, ['signal SIGKILL'], 'the owner hears of the end');
});

t.test('a run that ends early leaves no worker', async (t) => {
  for (const args of [['--help'], ['--version'], ['--http', '8080'], ['--start-view', 'sideways']]) {
    const mark = `LIVEPLAYER_TEST_MARK=early-${process.pid}-${args.join('')}`;
    const [k, v] = mark.split('=') as [string, string];
    const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, [k]: v }, encoding: 'utf8', timeout: 30000 });
    t.ok(r.status === 0 || r.status === 2, `${args.join(' ')}: exit ${r.status}`);
    await sleep(300);
    t.same(marked(mark), [], `${args.join(' ')}: no process left with the run's environment`);
  }
});

t.test('the daemon plays on the worker forked first', async (t) => {
  const { url } = await publishedStream(t, { server: 'nms', name: 'early' });
  const d = await startDaemon({ args: ['--log-level', 'debug', '--src', url, '--spare-worker', 'idle'], env: { LIVEPLAYER_AUTOPLAY: '1' } });
  t.teardown(() => d.stop());
  // The play began before HTTP listened: its codes are read from the log.
  for (const end = Date.now() + 20000; !d.logs().some((l) => /"code":2004\b/.test(l)) && Date.now() < end; ) await sleep(100);
  t.ok(d.logs().some((l) => /"code":2004\b/.test(l)), 'first picture (2004)');
  const adopted = d.logs().map((l) => JSON.parse(l)).find((j) => j.msg === 'the first spare is the worker forked before the daemon loaded');
  t.ok(adopted, 'the log says the first spare was the early worker');
  const workers = children(d.proc.pid!).filter((c) => {
    try {
      return readFileSync(`/proc/${c}/cmdline`, 'utf8').includes('worker/worker.js');
    } catch {
      return false;
    }
  });
  t.same(workers, [adopted?.pid], `the playing worker is that process (${workers.join(', ')})`);
});

/** ms from the daemon's first log line to the first line matching `re`, or null. */
function msBetween(logs: string[], re: RegExp): number | null {
  const lines = logs.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { time: number; msg: string });
  const hit = lines.find((j) => re.test(JSON.stringify(j)));
  return hit && lines[0] ? hit.time - lines[0].time : null;
}

t.test('the controls wait for the start-up play: its first picture, or 1.5 s of a start that hangs', async (t) => {
  const { url } = await publishedStream(t, { server: 'nms', name: 'order' });
  const d = await startDaemon({ args: ['--src', url], env: { LIVEPLAYER_AUTOPLAY: '1' } });
  const picture = msBetween(d.logs(), /"code":2004\b/);
  const listening = msBetween(d.logs(), /"http listening"/)!;
  await d.stop();
  t.ok(picture !== null && picture <= listening, `2004 (${picture} ms) is logged before HTTP listens (${listening} ms)`);

  // A server that takes the connection and never answers: the handshake times out after 5 s, the controls do not wait for it.
  const silent = await startSilentServer();
  t.teardown(() => silent.stop());
  const h = await startDaemon({ args: ['--src', `rtmp://127.0.0.1:${silent.port}/live/x`], env: { LIVEPLAYER_AUTOPLAY: '1' } });
  t.teardown(() => h.stop());
  const up = msBetween(h.logs(), /"http listening"/)!;
  t.ok(up < 4000, `HTTP listens ${up} ms into a start whose stream hangs (the wait is 1.5 s at most)`);
  t.equal((await h.api('GET', '/api/v1/player')).body.state, 'connecting', 'while the player still connects');
});

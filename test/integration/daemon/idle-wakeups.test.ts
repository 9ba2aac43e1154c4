// A daemon with nothing to do sleeps: its main thread is woken a few times a
// second at most (timers of its own, the metrics' lag sample), not by a
// polling timer. Counted by the kernel: voluntary context switches of the
// main thread (/proc/PID/task/PID/status), one per sleep in epoll.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { startDaemon } from '../../helpers/daemon';
import { sleep } from '../../helpers/time';

function sleepsOf(pid: number): number {
  const m = /voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8'));
  if (!m) throw new Error('no voluntary_ctxt_switches');
  return Number(m[1]);
}

t.test('an idle daemon wakes its main thread fewer than 10 times a second', async (t) => {
  const d = await startDaemon({ args: ['--video-sink', 'fake', '--audio-sink', 'fake'] });
  t.teardown(() => d.stop());
  // /metrics once, so that everything it sets up is running.
  t.equal((await d.api('GET', '/metrics')).status, 200);
  // Start-up over: the spare worker and the idle card are made by now.
  await sleep(4000);
  const pid = d.proc.pid!;
  const WINDOW_MS = 5000;
  const before = sleepsOf(pid);
  await sleep(WINDOW_MS);
  const perSecond = ((sleepsOf(pid) - before) * 1000) / WINDOW_MS;
  t.comment(`main thread: ${perSecond.toFixed(1)} wake-ups a second`);
  t.ok(perSecond < 10, `${perSecond.toFixed(1)} wake-ups a second (a 10 ms poll would be 100)`);
});

// A playing media worker runs a full collection of its heap every minute
// (src/gst/worker/heap-tidy.ts; here every 500 ms through the test hook),
// the daemon logs each, and the picture does not notice: each takes a few
// milliseconds and the stream keeps its frame rate meanwhile.
import t from 'tap';
import { TIDY_ENV } from '../../../src/gst/worker/heap-tidy';
import { playingBars } from '../../helpers/playing';
import { sleep } from '../../helpers/time';

t.test('a playing worker collects its heap at the interval, briefly, and the picture keeps its rate', async (t) => {
  const { d, sub } = await playingBars(t, { name: 'tidy', daemon: { args: ['--log-level', 'debug'], env: { [TIDY_ENV]: '500' } } });
  await sleep(3000); // past the first second's figures, which count the start
  const from = d.logs().length;
  const netFrom = sub.events.length;
  await sleep(6000);
  const tidies = d
    .logs()
    .slice(from)
    .map((l) => JSON.parse(l) as { msg?: string; ms?: number })
    .filter((l) => l.msg === "collected the worker's heap");
  const ms = tidies.map((l) => l.ms ?? NaN);
  t.comment(`collections in 6 s: ${tidies.length}; ms: ${ms.join(' ')}`);
  t.ok(tidies.length >= 8 && tidies.length <= 13, `about one per 500 ms (${tidies.length} in 6 s)`);
  ms.sort((a, b) => a - b);
  // About 10 ms here; a loaded machine stretches it, a stalled worker would not finish 12 in 6 s.
  t.ok(ms[Math.floor(ms.length / 2)]! < 100, `a collection takes milliseconds (median ${ms[Math.floor(ms.length / 2)]} ms)`);
  const fps = sub.events
    .slice(netFrom)
    .filter((e) => e.event === 'netstatus')
    .map((e) => (e.data.info as Record<string, number>).renderFPS);
  t.ok(fps.length >= 4 && fps.slice(1).every((f) => f >= 15), `the picture kept its rate, at least 60 % of 25 fps (renderFPS ${fps.join(' ')})`);
});

// gstreamer-superficial 1.7.4 never unset the GValue of a property it read,
// nor the string it converted a structure or enum to, so every read of a
// string or boxed property leaked its copy: ~250 B per `last-message`, ~500 B
// per `stats` (measured over 100,000 reads each). The playing worker reads
// both every second, which was the playing worker's unexplained 0.5 MiB/min.
// patches/gstreamer-superficial+1.7.4.patch frees them; npm's postinstall
// applies it and rebuilds the binding. In a child process that loads the
// real binding, 100,000 reads of the properties the worker reads must leave
// RSS within a few MiB (V8 and malloc settle; unpatched it grew by ~48 MiB).
import t from 'tap';
import { bindingProbe } from '../../helpers/binding-probe';

const READS = 100000;

const probe = (prop: string, element: string) => `
const v8 = require('v8');
v8.setFlagsFromString('--expose-gc');
const gc = require('vm').runInNewContext('gc');
const gst = require('gstreamer-superficial');
const p = new gst.Pipeline('videotestsrc is-live=true ! identity name=vdecout silent=false ! fakesink name=vsink');
p.play();
const el = p.findChild(${JSON.stringify(element)});
setTimeout(() => {
  // Warm-up: V8's code and the allocator's arenas settle first.
  for (let i = 0; i < 20000; i++) String(el[${JSON.stringify(prop)}]);
  gc(); gc();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < ${READS}; i++) String(el[${JSON.stringify(prop)}]);
  gc(); gc();
  process.stdout.write(String(process.memoryUsage().rss - before));
  process.kill(process.pid, 'SIGKILL');
}, 300);
`;

const rssGrowth = (prop: string, element: string): number => bindingProbe(probe(prop, element));

t.test('reading string and structure properties does not leak native memory', async (tt) => {
  for (const [prop, element, leakedPerRead] of [
    ['last-message', 'vdecout', 250],
    ['stats', 'vdecout', 500],
    ['stats', 'vsink', 500],
  ] as const) {
    const grown = rssGrowth(prop, element);
    const perRead = grown / READS;
    tt.comment(`${element}.${prop}: RSS ${(grown / 1048576).toFixed(1)} MiB over ${READS} reads (${perRead.toFixed(0)} B/read; unpatched ~${leakedPerRead})`);
    // A leak of the copy would be ~24-48 MiB here; what remains is V8 and allocator noise.
    tt.ok(perRead < leakedPerRead / 5, `${element}.${prop}: under ${leakedPerRead / 5} B per read`);
  }
});

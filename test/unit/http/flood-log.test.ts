// The once-per-interval log of floods: the first event at once, then at most
// one line per interval carrying the count of the events it stands for; a
// quiet interval ends the flood. Measured with a real pino writing to a stream.
import { Writable } from 'node:stream';
import pino from 'pino';
import t from 'tap';
import { FloodLog } from '../../../src/http/flood-log';
import { sleep } from '../../helpers/time';

function capture(): { log: pino.Logger; lines: { msg: string; count: number; at: number }[] } {
  const lines: { msg: string; count: number; at: number }[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push({ ...JSON.parse(l), at: Date.now() });
      cb();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

t.test('events in bursts over ~0.6 s at a 200 ms interval: a handful of lines whose counts add up', async (t) => {
  const { log, lines } = capture();
  const flood = new FloodLog(log, 'warn', 'event stream refused', 200);
  const t0 = Date.now();
  let sent = 0;
  while (Date.now() - t0 < 600) {
    for (let i = 0; i < 50; i++) flood.note({ reason: 'too many' });
    sent += 50;
    await sleep(30);
  }
  await sleep(450);
  flood.close();
  t.ok(lines.length >= 2 && lines.length <= 5, `${sent} events, ${lines.length} lines`);
  t.equal(lines.reduce((n, l) => n + l.count, 0), sent, 'the counts add up to every event');
  t.equal(lines[0]!.count, 1, 'the first is logged at once');
  for (let i = 2; i < lines.length; i++) t.ok(lines[i]!.at - lines[i - 1]!.at >= 150, `line ${i} comes an interval after the one before (${lines[i]!.at - lines[i - 1]!.at} ms)`);
});

t.test('after a quiet interval the next event is logged at once again', async (t) => {
  const { log, lines } = capture();
  const flood = new FloodLog(log, 'info', 'pairing refused', 100);
  flood.note();
  await sleep(350);
  flood.note();
  t.equal(lines.length, 2, 'two lines, each at once');
  t.same(lines.map((l) => l.count), [1, 1]);
  flood.close();
  t.equal(lines.length, 2, 'nothing pending to write on close');
});

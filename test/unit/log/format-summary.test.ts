// Logs people can read: progress (2005) at debug, other codes at info; a
// summary line per interval while a stream is on and none while stopped; the
// pretty format turns pino JSON into "time LEVEL module: message fields".
import t from 'tap';
import { LivePlayer } from '../../../src/player/player';
import { PlaySummary } from '../../../src/log-summary';
import { prettyLine } from '../../../src/log-pretty';
import { resolveLogFormat } from '../../../src/log';
import { memoryLogger } from '../../helpers/dbus-harness';
import { FakeEngine } from '../../helpers/fake-engine';
import { sleep } from '../../helpers/time';

function setup() {
  const mem = memoryLogger();
  const engine = new FakeEngine();
  const player = new LivePlayer({ engine, log: mem.log, reconnect: { attempts: 3, intervalMs: 1000 } });
  return { mem, engine, player };
}

t.test('2005 is logged at debug, other codes at info', async (t) => {
  const { mem, engine, player } = setup();
  player.setAttributes({ src: 'rtmp://127.0.0.1/live/x' });
  player.play();
  engine.events.code(2004);
  for (let i = 0; i < 5; i++) engine.events.code(2005, '25 fps, 900 kbps');
  const status = mem.lines().filter((l) => l.msg === 'status');
  t.same(status.filter((l) => l.code === 2005).map((l) => l.level), [20, 20, 20, 20, 20], 'five 2005 lines, all debug (20)');
  t.same(status.filter((l) => l.code === 2004).map((l) => l.level), [30], '2004 at info (30)');
  await player.stop();
});

t.test('a summary per interval while playing, none while stopped', async (t) => {
  const { mem, engine, player } = setup();
  const summary = new PlaySummary(player, mem.log, { intervalMs: 300 });
  summary.start();
  t.teardown(() => summary.stop());
  await sleep(500);
  t.equal(mem.lines().filter((l) => l.msg === 'playback summary').length, 0, 'idle: no summary');
  player.setAttributes({ src: 'rtmp://10.0.0.5:1935/live/x' });
  player.play();
  engine.events.code(2004);
  for (const fps of [24, 26]) engine.events.netstatus({ videoFPS: fps, renderFPS: fps - 1, netSpeed: 1000 });
  engine.events.code(2105, 'froze');
  await sleep(450);
  const first = mem.lines().filter((l) => l.msg === 'playback summary');
  t.equal(first.length, 1, 'one summary after one interval');
  t.match(first[0], { level: 30, state: 'playing', host: '10.0.0.5:1935', fps: 25, renderFps: 24, kbps: 1000, samples: 2, codes: { 2004: 1, 2105: 1 } });
  t.notOk('2005' in (first[0]!.codes as object), 'progress is not counted as an event');
  await player.stop();
  const n = mem.lines().filter((l) => l.msg === 'playback summary').length;
  await sleep(800);
  t.equal(mem.lines().filter((l) => l.msg === 'playback summary').length, n, 'stopped: no more summaries');
});

t.test('pretty lines: time, level, module, message, fields; errors keep their stack', async (t) => {
  const line = prettyLine(JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 2, 3, 4, 5, 6), pid: 1, module: 'dbus', reason: 'connect ENOENT /run/x', bus: 'system', msg: 'D-Bus unavailable; running without it' }));
  t.equal(line, '03:04:05.006 WARN  dbus: D-Bus unavailable; running without it reason="connect ENOENT /run/x" bus=system\n');
  const err = prettyLine(JSON.stringify({ level: 50, time: 0, msg: 'stop failed', err: { message: 'boom', stack: 'Error: boom\n    at x' } }));
  t.match(err, /^00:00:00\.000 ERROR stop failed\n    Error: boom\n        at x\n$/);
  t.equal(prettyLine('not json'), 'not json\n', 'a line that is not JSON passes through');
  t.equal(resolveLogFormat('auto', true), 'pretty');
  t.equal(resolveLogFormat('auto', false), 'json');
  t.equal(resolveLogFormat('json', true), 'json');
  t.equal(resolveLogFormat('pretty', false), 'pretty');
});

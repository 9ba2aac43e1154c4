// --spare-worker idle: no spare media worker, and no spare TV card process,
// stands by while a session plays (two Node runtimes less on a small board);
// a spare is back once the session is gone, and a playing worker's death
// still recovers, on a fresh (cold) worker. auto: the board's memory (or the
// cgroup's limit) picks idle or playing. Counted from the daemon's child
// processes, against a real node-media-server stream.
import t from 'tap';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDaemon, type RunningDaemon } from '../../helpers/daemon';
import { publishedStream } from '../../helpers/media-servers';
import { children } from '../../helpers/proc-memory';
import { sleep } from '../../helpers/time';

t.setTimeout(300_000);

/** Past the spare's 1.5 s delay and its start-up on a loaded machine. */
const SETTLE_MS = 5000;

function script(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').find((a) => a.endsWith('.js')) ?? '';
  } catch {
    return '';
  }
}

/** The media workers among the daemon's children. */
function mediaWorkers(pid: number): number[] {
  return children(pid).filter((c) => /\/worker\.js$/.test(script(c)));
}

/** The TV's card processes (shown or spare). */
function cardProcesses(pid: number): number[] {
  return children(pid).filter((c) => /idle-worker\.js$/.test(script(c)));
}

t.test('spare worker only while idle', async (tt) => {
  const { url } = await publishedStream(tt, { server: 'nms', name: 's' });
  const d = await startDaemon({ args: ['--spare-worker', 'idle', '--reconnect-interval', '0.5'] });
  tt.teardown(() => d.stop());
  const pid = d.proc.pid!;
  const sub = await d.subscribe();
  await d.api('PATCH', '/api/v1/player', { src: url });
  await sleep(SETTLE_MS);
  tt.equal(mediaWorkers(pid).length, 1, 'idle: one spare stands by');
  tt.ok(cardProcesses(pid).length >= 1, 'idle: the TV has its card process');

  let from = sub.events.length;
  await d.api('POST', '/api/v1/player/play');
  await sub.waitForCode(2004, 20000, from);
  await sleep(SETTLE_MS);
  const playing = mediaWorkers(pid);
  tt.equal(playing.length, 1, `playing: the session's worker and no spare (${playing.join(', ')})`);
  tt.equal(cardProcesses(pid).length, 0, 'playing with no card shown: no spare card process either');

  // The playing worker dies: the player reports it and plays again on a fresh worker.
  from = sub.events.length;
  process.kill(playing[0], 'SIGKILL');
  await sub.waitForCode(2103, 10000, from);
  await sub.waitForCode(2004, 30000, from);
  tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing', 'playing again after the worker died');
  await sleep(SETTLE_MS);
  const again = mediaWorkers(pid);
  tt.equal(again.length, 1, `playing again: still no spare (${again.join(', ')})`);
  tt.not(again[0], playing[0], 'on another worker');

  await d.api('POST', '/api/v1/player/stop');
  await sleep(SETTLE_MS);
  tt.equal(mediaWorkers(pid).length, 1, 'stopped: a spare stands by again');
  tt.ok(cardProcesses(pid).length >= 1, 'stopped: the idle card is back');
  from = sub.events.length;
  await d.api('POST', '/api/v1/player/play');
  await sub.waitForCode(2004, 20000, from);
  tt.pass('and the next play reaches 2004');
  await d.api('POST', '/api/v1/player/stop');
});

/**
 * A memory cgroup limited to `bytes` (v1 or v2), as a balena container with a
 * memory limit or a small board gives; null with the reason when this
 * machine lets no test make one.
 */
function memoryCgroup(bytes: number): { procs: string; remove: () => Promise<void> } | string {
  const name = `liveplayerd-test-${process.pid}`;
  for (const [root, limit] of [['/sys/fs/cgroup/memory', 'memory.limit_in_bytes'], ['/sys/fs/cgroup', 'memory.max']] as const) {
    if (!existsSync(path.join(root, 'cgroup.procs')) || !existsSync(path.join(root, root.endsWith('memory') ? 'memory.limit_in_bytes' : 'cgroup.controllers'))) continue;
    const dir = path.join(root, name);
    try {
      mkdirSync(dir);
      writeFileSync(path.join(dir, limit), String(bytes));
      // A cgroup goes only once its last process has; the daemon's children end just after it.
      const remove = async (): Promise<void> => {
        for (let i = 0; ; i++) {
          try {
            return rmdirSync(dir);
          } catch (err) {
            if (i >= 50) throw err;
            await sleep(100);
          }
        }
      };
      return { procs: path.join(dir, 'cgroup.procs'), remove };
    } catch (err) {
      try {
        rmdirSync(dir);
      } catch {
        // never made
      }
      return `cannot make a memory cgroup under ${root}: ${(err as Error).message}`;
    }
  }
  return 'no memory cgroup controller mounted';
}

t.test('auto: the board memory decides', async (tt) => {
  const { url } = await publishedStream(tt, { server: 'nms', name: 'a' });
  const policy = (d: RunningDaemon) => JSON.parse(d.logs().find((l) => l.includes('"spare worker policy"')) ?? '{}');
  const playAndCount = async (d: RunningDaemon): Promise<number> => {
    const sub = await d.subscribe();
    await d.api('PATCH', '/api/v1/player', { src: url });
    const from = sub.events.length;
    await d.api('POST', '/api/v1/player/play');
    await sub.waitForCode(2004, 20000, from);
    await sleep(SETTLE_MS);
    const n = mediaWorkers(d.proc.pid!).length;
    await d.api('POST', '/api/v1/player/stop');
    return n;
  };

  // This machine has gigabytes: a spare stands by while playing.
  const big = await startDaemon();
  tt.teardown(() => big.stop());
  tt.match(policy(big), { spareWorker: 'playing', asked: 'auto' }, `auto with ${policy(big).memoryMiB} MiB: playing`);
  tt.equal(await playAndCount(big), 2, 'playing: the session and a spare');
  await big.stop();

  // The same daemon in a 512 MiB memory cgroup, as on a Pi Zero 2 W or in a limited container.
  const cg = memoryCgroup(512 * 1024 * 1024);
  if (typeof cg === 'string') {
    tt.ok(true, 'the 512 MiB case', { skip: cg });
    return;
  }
  tt.teardown(() => cg.remove());
  const small = await startDaemon({ cgroupProcs: cg.procs });
  tt.teardown(() => small.stop());
  tt.match(policy(small), { spareWorker: 'idle', asked: 'auto', memoryMiB: 512 }, 'auto in 512 MiB: idle');
  tt.equal(await playAndCount(small), 1, 'playing: the session alone, no spare');
  await small.stop();
});

// A power cut in the middle of a save must never leave a half-written state
// file. A child process saves 1,000 changing states with the real
// StateStore and is SIGKILLed at random moments; after every kill the file
// must parse and be one of the two states the child was between.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import pino from 'pino';
import { DEFAULT_ATTRIBUTES } from '../../../src/player/attributes';
import { parseState, StateStore, type PersistedState } from '../../../src/os/state-store';

const SAVES = 1000;
const KILLS = Number(process.env.LP_CRASH_KILLS ?? 30);
const PARALLEL = 3;
// A SIGKILL loses nothing that write() handed to the kernel, so what this
// proves (no half-written file at any moment) does not need a real disk; on
// tmpfs the fsyncs cost nothing and the test can afford many kills. On this
// machine's ext4 disk one save (two fsyncs) takes about 9 ms.
const BASE = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

// Prints each state before saving it, so the parent knows what the file may hold.
const CHILD = `
const { writeSync } = require('node:fs');
const { StateStore } = require(${JSON.stringify(require.resolve('../../../src/os/state-store'))});
const { DEFAULT_ATTRIBUTES } = require(${JSON.stringify(require.resolve('../../../src/player/attributes'))});
const pino = require(${JSON.stringify(require.resolve('pino'))});
const store = new StateStore(process.argv[1], pino({ level: 'silent' }));
for (let i = 0; i < ${SAVES}; i++) {
  const s = { version: 1, playing: i % 3 === 0, attributes: { ...DEFAULT_ATTRIBUTES,
    src: 'rtmp://192.168.1.10/live/room' + i + '?' + 'k'.repeat(i % 200),
    muted: i % 2 === 0, minCache: i % 4, maxCache: 4 + (i % 5), orientation: i % 7 ? 'vertical' : 'horizontal' } };
  writeSync(1, JSON.stringify(s) + '\\n');
  store.save(s);
}
`;

interface Run {
  printed: PersistedState[];
  ms: number;
}

/** Runs the child; kills it `killAfterMs` after its first state is printed (never, if undefined). */
function run(dir: string, killAfterMs?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let started = 0;
    child.stdout.on('data', (d: Buffer) => {
      if (!started) {
        started = Date.now();
        if (killAfterMs !== undefined) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
      out += d.toString();
    });
    child.once('error', reject);
    child.once('close', () => {
      const lines = out.split('\n').filter((l) => l.endsWith('}'));
      resolve({ printed: lines.map((l) => JSON.parse(l) as PersistedState), ms: Date.now() - started });
    });
  });
}

t.test('SIGKILL during 1,000 saves never leaves a partial state file', { timeout: 280_000 }, async (t) => {
  const dir = mkdtempSync(join(BASE, 'lp-crash-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const log = pino({ level: 'silent' });
  const initial: PersistedState = { version: 1, attributes: { ...DEFAULT_ATTRIBUTES }, playing: false };

  // A full run first: it proves the child works and sets the window for kills.
  new StateStore(dir, log).save(initial);
  const full = await run(dir);
  t.equal(full.printed.length, SAVES, 'an uninterrupted child makes all saves');
  t.same(new StateStore(dir, log).load(), full.printed[SAVES - 1], 'and the file holds the last one');
  const window = Math.max(50, full.ms);
  t.comment(`${SAVES} atomic saves took ${full.ms} ms (${((full.ms / SAVES) * 1000).toFixed(0)} µs each)`);

  const killOnce = async (k: number): Promise<boolean> => {
    const d = join(dir, `kill-${k}`);
    new StateStore(d, log).save(initial);
    const { printed } = await run(d, Math.floor(Math.random() * window));
    const text = readFileSync(join(d, 'state.json'), 'utf8');
    let onDisk: PersistedState;
    try {
      onDisk = parseState(JSON.parse(text));
    } catch (err) {
      t.fail(`kill ${k} after ${printed.length} states left a broken file: ${String(err)}`);
      return false;
    }
    // The child prints a state, then saves it: the file holds the last
    // printed one, or the one before if the kill came mid-save.
    const candidates = [initial, ...printed].slice(-2);
    t.ok(candidates.some((c) => isDeepStrictEqual(c, onDisk)), `kill ${k} after ${printed.length} states: the file is one of the last two`);
    t.ok(readdirSync(d).every((f) => f === 'state.json' || f === 'state.json.tmp'), 'nothing else in the dir');
    return printed.length < SAVES;
  };
  let midRun = 0;
  for (let k = 0; k < KILLS; k += PARALLEL) {
    const batch = await Promise.all(Array.from({ length: Math.min(PARALLEL, KILLS - k) }, (_, i) => killOnce(k + i)));
    midRun += batch.filter(Boolean).length;
  }
  t.ok(midRun >= KILLS / 2, `${midRun} of ${KILLS} kills landed mid-run`);
});

// ScreenWords against a pipeline stand-in: what it does to the elements when
// the TV's words come and go (the real pipeline is in
// test/integration/tv/words-in-stream.test.ts and words-in-pipeline.test.ts).
import t from 'tap';
import { ScreenWords } from '../../../src/gst/worker/screen-words';

function stage() {
  const calls: string[] = [];
  const pushed: Buffer[] = [];
  const el = (name: string, extra: Record<string, unknown> = {}) => ({
    holdState: (s: string) => (calls.push(`${name} hold ${s}`), 'SUCCESS'),
    releaseState: (sync: boolean) => (calls.push(`${name} release${sync ? ' now' : ''}`), true),
    ...extra,
  });
  const els: Record<string, Record<string, unknown>> = {
    words: el('words', { push: (b: Buffer) => pushed.push(b), caps: '' }),
    wordsconv: el('wordsconv'),
    screen: el('screen'),
    vsink: el('vsink', { sync: true, 'last-sample': { buf: Buffer.alloc(4), caps: { width: 1, height: 1, format: 'RGBA' } } }),
    screengate: { drop: false },
  };
  const renders = { freeze: () => calls.push('freeze'), thaw: () => calls.push('thaw') };
  const words = new ScreenWords({ findChild: (n: string) => (els[n] as never) ?? null }, renders as never);
  return { calls, pushed, els, words };
}

const card = (w: number, h: number) => [Buffer.alloc(w * h * 4, 200), w, h] as const;

t.test('show holds the screen end PLAYING, closes the gate, and pushes the card', async (t) => {
  const { calls, pushed, els, words } = stage();
  t.ok(words.available);
  const sample = els.vsink!['last-sample'];
  words.show(...card(8, 4));
  t.same(calls, ['freeze', 'words hold PLAYING', 'wordsconv hold PLAYING', 'screen hold PLAYING', 'vsink hold PLAYING']);
  t.equal(els.screengate!.drop, true, 'the stream kept off the sink');
  t.equal(els.vsink!.sync, false, 'the card shows at once');
  t.equal(pushed.length, 1);
  t.equal(pushed[0]!.length, 8 * 4 * 4, 'one RGBA frame');
  t.match(String(els.words!.caps), /width=8,height=4/);
  els.vsink!['last-sample'] = { buf: Buffer.alloc(4, 1), caps: {} };
  t.equal(words.streamPicture()!['last-sample'], sample, "the stream's picture is the one from before the words");
  words.show(...card(8, 4));
  t.equal(calls.filter((c) => c.includes('hold')).length, 4, 'a second card: no second hold');
  t.equal(pushed.length, 2);
});

t.test('hide gives the end back and opens the gate; blank pushes black first', async (t) => {
  const { calls, pushed, els, words } = stage();
  words.hide('now');
  t.same(calls, [], 'nothing shown: nothing to do');
  words.show(...card(4, 2));
  calls.length = 0;
  els.words!.caps = 'video/x-raw, format=(string)RGBA, width=(int)4, height=(int)2, framerate=(fraction)0/1';
  words.hide('pipeline', true);
  t.same(calls, ['words release', 'wordsconv release', 'screen release', 'vsink release', 'thaw']);
  t.equal(els.screengate!.drop, false);
  t.equal(els.vsink!.sync, true, 'sync as it was');
  t.equal(pushed.length, 2);
  t.same([...pushed[1]!], [...Buffer.alloc(4 * 2 * 4)], 'a black frame of the same size');
  t.notOk(words.showing);
  t.equal(words.streamPicture(), els.vsink, 'the sink itself again');
  words.show(...card(4, 2));
  calls.length = 0;
  words.hide('now');
  t.ok(calls.includes('vsink release now'), "'now' takes the pipeline's state at once");
});

t.test('a pipeline without the screen end is refused, not half changed', async (t) => {
  const words = new ScreenWords({ findChild: () => null }, { freeze: () => 0, thaw: () => 0 } as never);
  t.notOk(words.available);
  t.throws(() => words.show(...card(2, 2)), /no screen end/);
});

t.test('a picture of the wrong size is refused before anything changes', async (t) => {
  const { calls, els, words } = stage();
  t.throws(() => words.show(Buffer.alloc(10), 4, 2), /needs 32 bytes, not 10/);
  t.same(calls, []);
  t.equal(els.screengate!.drop, false);
  t.notOk(words.showing);
});

t.test("unsynced: a start's first picture shows as it comes, then the sink keeps time again", async (t) => {
  const { els, words } = stage();
  words.show(...card(4, 2));
  words.hide('pipeline', false, true);
  t.equal(els.vsink!.sync, false, 'off the clock until the first picture is shown');
  // Words again before it was: the value to go back to is still the one from before the first words.
  words.show(...card(4, 2));
  words.hide('pipeline', false, true);
  words.resync();
  t.equal(els.vsink!.sync, true, 'back on the clock');
  words.resync();
  t.equal(els.vsink!.sync, true, 'a second resync changes nothing');
  els.vsink!.sync = 'left';
  words.resync();
  t.equal(els.vsink!.sync, 'left', 'nor does one after a synced hide');
  words.show(...card(4, 2));
  words.hide('now');
  t.equal(els.vsink!.sync, 'left', 'a plain hide restores at once');
});

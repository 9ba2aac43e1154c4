// StreamWords with a drawer stand-in: one draw at a time and only the newest
// card drawn next, a start's card held back until its time, files of cards
// nobody took removed, and the drawer kept for a while after, then closed.
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Card, PictureFile } from '../../../src/gst/protocol';
import { StreamWords, type OffScreenDrawer } from '../../../src/tv/stream-words';
import { sleep } from '../../helpers/time';

const card = (title: string): Card => ({ layout: 'idle', width: 2, height: 1, title, status: '', titleFont: 'Sans 10', statusFont: 'Sans 10', shaded: false });

function rig(t: Test, drawMs = 30, linger?: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stream-words-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const drawn: string[] = [];
  const put: (string | null)[] = [];
  let drawers = 0;
  let closed = 0;
  let busy = 0;
  let most = 0;
  let n = 0;
  const drawer = (): OffScreenDrawer => {
    drawers++;
    return {
      draw: async (c) => {
        busy++;
        most = Math.max(most, busy);
        await sleep(drawMs);
        busy--;
        drawn.push(c.title);
        const file = path.join(dir, `${n++}.rgba`);
        writeFileSync(file, Buffer.alloc(8));
        return { file, width: 2, height: 1 };
      },
      close: () => void closed++,
    };
  };
  const files: PictureFile[] = [];
  const words = new StreamWords({
    drawer,
    put: (p) => {
      put.push(p ? path.basename(p.file) : null);
      if (p) files.push(p);
      return true;
    },
    log: pino({ level: 'silent' }),
    linger: linger === undefined ? undefined : () => linger,
  });
  return { words, drawn, put, files, dir, stats: () => ({ drawers, closed, most }) };
}

t.test('one draw at a time; cards wanted meanwhile: only the newest is drawn next', async (t) => {
  const r = rig(t);
  r.words.want(card('a'), 'a');
  r.words.want(card('b'), 'b');
  r.words.want(card('c'), 'c');
  await sleep(150);
  t.same(r.drawn, ['a', 'c'], 'b was never drawn');
  t.same(r.put, ['1.rgba'], 'and only the card still wanted reached the session');
  t.notOk(existsSync(path.join(r.dir, '0.rgba')), "the file of a card nobody wanted any more is removed");
  t.equal(r.stats().most, 1, 'never two draws at once');
  t.equal(r.stats().drawers, 1, 'one drawer for all');
  r.words.want(card('c'), 'c');
  await sleep(60);
  t.same(r.drawn, ['a', 'c'], 'the same card again: nothing drawn');
  r.words.stop();
});

t.test("a start's card is drawn at once but shown only from its time, and not at all if the picture came first", async (t) => {
  const r = rig(t, 10);
  r.words.want(card('connecting'), 'k1', performance.now() + 120);
  await sleep(60);
  t.same(r.drawn, ['connecting'], 'drawn at once');
  t.same(r.put, [], 'not shown yet');
  await sleep(120);
  t.same(r.put, ['0.rgba'], 'shown once its time came');
  r.words.want(null);
  t.same(r.put, ['0.rgba', null], 'taken away');
  r.words.want(card('connecting'), 'k2', performance.now() + 120);
  await sleep(40);
  r.words.want(null);
  await sleep(150);
  t.same(r.put, ['0.rgba', null], 'a picture before its time: never shown, and nothing to take away');
  t.notOk(existsSync(path.join(r.dir, '1.rgba')), 'its file removed');
  r.words.stop();
});

t.test('the drawer stays a while after the cards are gone, then is closed', async (t) => {
  t.equal(typeof (await import('../../../src/tv/stream-words')).DRAWER_LINGER_MS, 'number');
  const r = rig(t, 5);
  r.words.want(card('a'), 'a');
  await sleep(30);
  r.words.want(null);
  r.words.want(card('b'), 'b');
  await sleep(30);
  t.equal(r.stats().drawers, 1, 'a play right after a stop reuses the drawer');
  t.equal(r.stats().closed, 0);
  r.words.stop();
  t.equal(r.stats().closed, 1, 'stop closes it at once');
});

t.test('with no linger (--spare-worker idle) the drawer is closed once the cards are gone, after a draw in progress', async (t) => {
  const r = rig(t, 40, 0);
  r.words.want(card('a'), 'a');
  await sleep(10);
  r.words.want(null);
  t.equal(r.stats().closed, 0, 'not while it draws');
  await sleep(80);
  t.equal(r.stats().closed, 1, 'closed when the draw is done');
  t.same(r.put, [], 'and the card was not shown');
});

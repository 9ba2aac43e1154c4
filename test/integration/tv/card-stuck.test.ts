// A TV card process whose pipeline never draws (its frames stall) must not
// leave the TV black: it sees that its sink rendered nothing, leaves, and the
// daemon starts a fresh one with the same card. The stall is the test hook
// LIVEPLAYER_TEST_STUCK_CARD (the first card process pushes no frame).
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../../helpers/daemon';
import { litShare, ocr, screenshot, startXvfb } from '../../helpers/tv';
import { sleep } from '../../helpers/time';

t.test('a card process that draws nothing is replaced, and the idle card shows', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lp-stuck-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const flag = path.join(dir, 'stall-once');
  writeFileSync(flag, '');
  const x = await startXvfb(1280, 720);
  t.teardown(() => x.stop());
  const started = Date.now();
  const d = await startDaemon({ args: ['--video-sink', 'x', '--language', 'en'], env: { DISPLAY: x.display, LIVEPLAYER_TEST_STUCK_CARD: flag } });
  t.teardown(() => d.stop());
  // The first card process took the flag and stalls: for a while the screen is black.
  while (existsSync(flag) && Date.now() - started < 20000) await sleep(100);
  t.notOk(existsSync(flag), 'a card process took the stall');
  const black = await screenshot(x.display);
  t.ok(litShare(black) < 0.05, `while it stalls the screen is black (${(litShare(black) * 100).toFixed(1)} % lit)`);
  let text = '';
  let lit = 0;
  while (Date.now() - started < 30000 && !/Ready/.test(text)) {
    await sleep(500);
    const s = await screenshot(x.display);
    lit = litShare(s);
    text = lit > 0.5 ? await ocr(s.png, 'eng') : '';
  }
  const ms = Date.now() - started;
  t.match(text, /Ready/, `the idle card is on the TV ${ms} ms after the start (read: ${text.slice(0, 80)})`);
  t.ok(lit > 0.9, `and fills the screen (${(lit * 100).toFixed(1)} % lit)`);
  const logs = d.logs().join('\n');
  t.match(logs, /the video sink drew nothing in 4000 ms/, 'the card process said why it left');
  t.match(logs, /TV screen process ended; restarting/, 'and the daemon started a fresh one');
});

/// <reference lib="dom" />
// The phone page tells the truth, in real Chromium at a phone viewport
// against the real daemon and a real stream: not paired, idle, playing,
// paused, stopped, reconnecting, failed (server refused), revoked and
// offline each show only what holds then: the state, the code (none after a
// plain stop, never progress while reconnecting), which buttons can act and
// which one is the main one, and words saying what to do (en and zh). The
// volume slider sets the daemon's volume. The address field offers rtmp://
// for host/app/stream and explains a scheme it does not play.
// Screenshots: docs/screenshots/phone-*.png.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDaemon, type RunningDaemon } from '../../helpers/daemon';
import { startNodeMediaServer, startPublisher, waitForStream } from '../../helpers/media-servers';
import { sleep } from '../../helpers/time';

const ROOT = path.resolve(__dirname, '../../../..');
const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const PHONE = { width: 390, height: 844 };
const BUTTONS = ['btn-play', 'btn-stop', 'btn-pause', 'btn-resume', 'btn-mute', 'btn-snap'] as const;

async function phone(browser: Browser, locale = 'en-US'): Promise<{ page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { page, errors };
}

/** Which of the playback buttons are enabled, and which one is the main (primary) one. */
async function controls(page: Page): Promise<{ enabled: string[]; main: string[] }> {
  return page.evaluate((ids) => {
    const els = ids.map((id) => document.getElementById(id) as HTMLButtonElement);
    return { enabled: els.filter((b) => !b.disabled).map((b) => b.id), main: ['btn-play', 'btn-pause', 'btn-resume'].filter((id) => document.getElementById(id)!.classList.contains('primary')) };
  }, [...BUTTONS]);
}

const status = (page: Page) =>
  page.evaluate(() => ({
    state: document.getElementById('state')!.dataset.state,
    stateText: document.getElementById('state')!.textContent,
    code: document.getElementById('code-line')!.dataset.code,
    advice: document.getElementById('code-advice')!.dataset.advice,
    adviceText: document.getElementById('code-advice')!.textContent,
    conn: document.getElementById('conn')!.dataset.mode,
  }));

async function shot(page: Page, name: string): Promise<string> {
  const file = path.join(SHOTS, `phone-${name}.png`);
  // The top of the page: connection badge, status, advice and the playback controls.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file });
  return path.relative(ROOT, file);
}

t.test('the phone page shows only what holds, for every state', { timeout: 240000 }, async (t: Test) => {
  mkdirSync(SHOTS, { recursive: true });
  const nms = await startNodeMediaServer();
  let nmsUp = true;
  t.teardown(() => (nmsUp ? nms.stop() : undefined));
  const pub = await startPublisher(nms.rtmpUrl('lesson'));
  t.teardown(() => pub.stop());
  await waitForStream(nms.rtmpUrl('lesson'));
  const src = nms.rtmpUrl('lesson');

  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'lp-page-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  const d: RunningDaemon = await startDaemon({ stateDir, args: ['--reconnect-attempts', '2', '--reconnect-interval', '1', '--rejoin', 'off'] });
  let daemonUp = true;
  t.teardown(() => (daemonUp ? d.stop() : undefined));

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  t.teardown(() => browser.close());
  const shots: string[] = [];

  // ---- not paired: says so and how to pair; nothing to press ----
  const stranger = await phone(browser);
  await stranger.page.goto(d.base);
  await stranger.page.waitForSelector('#conn[data-mode="unpaired"]', { timeout: 10000 });
  t.ok(await stranger.page.isVisible('#unpaired'), 'not paired: the card saying how to pair is shown');
  t.match(await stranger.page.textContent('#conn'), /Not paired/, 'the badge says "Not paired", not "Offline"');
  t.match(await status(stranger.page), { state: 'unknown', code: '' }, 'no state or code it cannot know');
  t.same((await controls(stranger.page)).enabled, [], 'every control disabled');
  shots.push(await shot(stranger.page, 'not-paired'));
  await sleep(5000);
  t.equal(await stranger.page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/')).length), 2, 'an unpaired page asks twice (events and player), then waits for a scan instead of counting as failed attempts');

  // ---- paired, idle, no address ----
  const p1 = await phone(browser);
  await p1.page.goto((await d.api('GET', '/api/v1/pairing')).body.url);
  await p1.page.waitForSelector('#conn[data-mode="online"]', { timeout: 10000 });
  t.match(await status(p1.page), { state: 'idle', code: '' });
  t.same(await controls(p1.page), { enabled: ['btn-mute'], main: ['btn-play'] }, 'idle without an address: Play is the main button but cannot act yet');

  // ---- the address field ----
  const hostPath = src.replace(/^rtmp:\/\//, '');
  await p1.page.fill('#src', hostPath);
  await p1.page.waitForSelector('#src-offer:not([hidden])');
  t.match(await p1.page.textContent('#src-offer'), `Did you mean ${src}?`, 'host/app/stream: rtmp:// is offered');
  await p1.page.fill('#src', 'rtsp://camera.local/stream1');
  await p1.page.waitForSelector('#stream-error[data-advice="src-scheme"]');
  await p1.page.evaluate(() => document.getElementById('h-stream')!.scrollIntoView());
  t.match(await p1.page.textContent('#stream-error'), /cannot play "rtsp:\/\/" addresses\. Use an address that starts with rtmp:\/\//, 'a scheme it does not play is explained in words');
  const addressShot = path.join(SHOTS, 'phone-address-scheme.png');
  await p1.page.screenshot({ path: addressShot });
  shots.push(path.relative(ROOT, addressShot));
  await p1.page.fill('#src', hostPath);
  await p1.page.click('#btn-src');
  t.match(await p1.page.textContent('#stream-error'), /^$/, 'submitting host/app/stream sends nothing; the offer stays');
  t.equal((await d.api('GET', '/api/v1/player')).body.attributes.src, '', 'the daemon got no address without a scheme');
  await p1.page.click('#btn-src-offer');
  t.equal(await p1.page.inputValue('#src'), src, 'the offer fills in rtmp://');

  // ---- playing ----
  await p1.page.click('#btn-src');
  await p1.page.waitForSelector('#state[data-state="playing"]', { timeout: 20000 });
  await p1.page.waitForSelector('#code-line[data-code="2005"]', { timeout: 5000 });
  t.same(await controls(p1.page), { enabled: ['btn-stop', 'btn-pause', 'btn-mute', 'btn-snap'], main: ['btn-pause'] }, 'playing: Pause is the main button, Play and Resume disabled');

  // ---- volume slider ----
  await p1.page.$eval('#volume', (el) => {
    const r = el as HTMLInputElement;
    r.value = '40';
    r.dispatchEvent(new Event('input', { bubbles: true }));
    r.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await p1.page.waitForSelector('#volume[data-volume="40"]', { timeout: 5000 });
  const a = (await d.api('GET', '/api/v1/player')).body.attributes;
  t.same([a.volume, a.muted], [40, false], 'the slider set volume 40, muted untouched');
  t.equal(await p1.page.textContent('#volume-value'), '40%');
  shots.push(await shot(p1.page, 'playing'));

  // "Add another phone" during the lesson: the TV shows the pairing card, the lesson goes on.
  // The hint shows only once POST /pairing/show answered 200 (a failure shows the error instead).
  await p1.page.click('#btn-add-phone');
  await p1.page.waitForSelector('#add-phone-done:not([hidden])', { timeout: 5000 });
  t.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing', 'add another phone: still playing');

  // ---- paused ----
  await p1.page.click('#btn-pause');
  await p1.page.waitForSelector('#state[data-state="paused"]');
  t.same(await controls(p1.page), { enabled: ['btn-stop', 'btn-resume', 'btn-mute', 'btn-snap'], main: ['btn-resume'] }, 'paused: Resume is the main button');
  await p1.page.click('#btn-resume');
  await p1.page.waitForSelector('#state[data-state="playing"]');

  // ---- stopped: no progress code beside "Stopped" ----
  await p1.page.click('#btn-stop');
  await p1.page.waitForSelector('#state[data-state="stopped"]');
  await sleep(2500);
  t.match(await status(p1.page), { state: 'stopped', code: '' }, 'stopped: no code shown (the last one was progress)');
  t.equal(await p1.page.textContent('#code'), '—');
  t.same(await controls(p1.page), { enabled: ['btn-play', 'btn-mute'], main: ['btn-play'] }, 'stopped: Play is the main button, Stop/Pause/Resume/Snapshot disabled');
  shots.push(await shot(p1.page, 'stopped'));

  // ---- reconnecting, then failed: the server goes away ----
  await p1.page.click('#btn-play');
  await p1.page.waitForSelector('#code-line[data-code="2005"]', { timeout: 20000 });
  await nms.stop();
  nmsUp = false;
  await p1.page.waitForSelector('#state[data-state="reconnecting"]', { timeout: 15000 });
  const during: string[] = [];
  let reconnectingControls: { enabled: string[]; main: string[] } | undefined;
  let stopIsMain: boolean | undefined;
  for (let i = 0; i < 8; i++) {
    const s = await status(p1.page);
    if (s.state !== 'reconnecting') break;
    if (i === 0) {
      reconnectingControls = await controls(p1.page);
      stopIsMain = await p1.page.$eval('#btn-stop', (b) => b.classList.contains('primary') && !(b as HTMLButtonElement).disabled);
    }
    during.push(s.code ?? '');
    if (i === 1) shots.push(await shot(p1.page, 'reconnecting'));
    await sleep(150);
  }
  t.ok(during.length >= 2, `sampled the code line ${during.length} times while reconnecting`);
  t.notOk(during.includes('2005'), `while reconnecting the code line never shows progress (${[...new Set(during)].join(', ')})`);
  t.ok(during.every((c) => c === '2103' || Number(c) >= 3000), 'it shows the reconnect or its cause');
  t.same(reconnectingControls?.main, [], 'reconnecting: none of Play, Pause, Resume is the main button (Stop is)');
  t.equal(stopIsMain, true, 'reconnecting: Stop is the main button and can act');
  await p1.page.waitForSelector('#state[data-state="error"]', { timeout: 30000 });
  const failed = await status(p1.page);
  t.match(failed, { code: '-2301', advice: 'server-refused' }, 'failed: -2301 and the advice for a refused server');
  t.match(failed.adviceText, /refused the connection\. Check the address \(host and port\)/);
  t.same((await controls(p1.page)).main, ['btn-play'], 'after a failure Play is the main button again');
  shots.push(await shot(p1.page, 'error-refused'));

  // ---- the same in Chinese ----
  const zh = await phone(browser, 'zh-CN');
  await zh.page.goto((await d.api('GET', '/api/v1/pairing')).body.url);
  await zh.page.waitForSelector('#state[data-state="error"]', { timeout: 10000 });
  // A fresh page learns the state from the event stream and the cause from the view it fetches: both, a moment apart.
  await zh.page.waitForFunction(() => (document.getElementById('code-advice')?.textContent ?? '') !== '', undefined, { timeout: 10000 }).catch(() => undefined);
  const zhStatus = await status(zh.page);
  t.match(zhStatus.adviceText, /推流服务器拒绝连接/, 'the advice in Chinese on a Chinese phone');
  t.notMatch(zhStatus.adviceText, /[A-Za-z]{4,}/, 'no English words in it');
  shots.push(await shot(zh.page, 'error-refused-zh'));

  // ---- revoked: a forgotten phone is told to scan again, in words ----
  const revoked = await d.api('DELETE', '/api/v1/sessions');
  t.equal(revoked.status, 200, `DELETE /api/v1/sessions: ${JSON.stringify(revoked.body)}`);
  await p1.page.click('#btn-play').catch(() => undefined);
  await p1.page.waitForSelector('#conn[data-mode="unpaired"]', { timeout: 10000 });
  // Forgetting phones closes their event streams at once, so the page usually knows before a tap:
  // either the tap's refusal is put in words, or the not-paired card says how to pair again.
  const actionError = (await p1.page.textContent('#action-error')) ?? '';
  if (actionError.trim()) {
    t.match(actionError, /no longer paired with the TV .* Scan the QR code on the TV again/, 'play:fail unauthorized becomes what to do');
    t.equal(await p1.page.getAttribute('#action-error', 'data-raw'), 'play:fail unauthorized', 'the raw errMsg is kept beside it');
  } else {
    t.ok(await p1.page.isVisible('#unpaired'), 'the not-paired card is shown');
    t.match(await p1.page.textContent('#unpaired'), /Scan the QR code on the TV/, 'and says how to pair again');
  }
  t.same((await controls(p1.page)).enabled, [], 'nothing to press until paired again');
  shots.push(await shot(p1.page, 'revoked'));

  // ---- offline: the daemon is gone; no green "Playing" beside "Offline" ----
  const p3 = await phone(browser);
  await p3.page.goto((await d.api('GET', '/api/v1/pairing')).body.url);
  await p3.page.waitForSelector('#conn[data-mode="online"]', { timeout: 10000 });
  await d.stop();
  daemonUp = false;
  await p3.page.waitForSelector('#conn[data-mode="offline"]', { timeout: 15000 });
  const off = await status(p3.page);
  t.match(off, { state: 'unknown', code: '', conn: 'offline' }, 'offline: state unknown, no code');
  t.equal(off.stateText, 'Unknown');
  t.same([await p3.page.textContent('#muted-state'), await p3.page.textContent('#volume-value')], ['—', '—'], 'offline: sound and volume not claimed either');
  t.ok(await p3.page.isHidden('#unpaired'), 'offline is not "not paired"');
  t.same((await controls(p3.page)).enabled, [], 'offline: every control disabled');
  shots.push(await shot(p3.page, 'offline'));

  for (const p of [stranger, p1, zh, p3]) t.same(p.errors, [], 'no page errors');
  t.comment(`screenshots: ${shots.join(', ')}`);
});

// Where no card window can go over the stream (KMS, Wayland, a fake sink),
// the pairing card is drawn into the stream's own picture: here on the fake
// sink, read from `view` snapshots (the picture the sink gets). The QR code
// in the snapshot must be the pairing address, the picture must go on, and
// after its seconds the card must be gone. Wayland's screen is checked in
// tv/wayland.test.ts.
import t from 'tap';
import path from 'node:path';
import type { RunningDaemon } from '../../helpers/daemon';
import { rgb, readPng, type Image } from '../../helpers/pixels';
import { playingBars } from '../../helpers/playing';
import { qrIn } from '../../helpers/tv';
import { sleep } from '../../helpers/time';

async function view(d: RunningDaemon): Promise<Image> {
  const r = await d.api('POST', '/api/v1/player/snapshot', { quality: 'raw', sourceType: 'view' });
  if (r.status !== 200) throw new Error(`snapshot: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return readPng(path.join(d.stateDir, 'snapshots', path.basename(r.body.tempImagePath as string)));
}

/** The card's background (card-images.ts BG) at a point, within a little of the encoder's rounding. */
const isCardColour = (img: Image, x: number, y: number) => {
  const [r, g, b] = rgb(img, x, y);
  return Math.abs(r - 0x0f) < 20 && Math.abs(g - 0x1e) < 20 && Math.abs(b - 0x36) < 20;
};

t.test('the pairing card in the stream: in view snapshots on the fake sink', async (tt) => {
  const { d } = await playingBars(tt);
  await sleep(500);

  const before = await view(d);
  tt.notOk(isCardColour(before, 20, 20), 'before: the stream at the top left');
  tt.equal(qrIn(before), null, 'and no QR code');

  const asked = Date.now();
  tt.equal((await d.api('POST', '/api/v1/pairing/show', { seconds: 5 })).status, 200);
  let shown = before;
  while (Date.now() - asked < 4000 && qrIn(shown) === null) {
    await sleep(200);
    shown = await view(d);
  }
  const ms = Date.now() - asked;
  const pairing = (await d.api('GET', '/api/v1/pairing')).body.url;
  const drawn = d.logs().map((l) => /"ms":(\d+)[^\n]*the pairing card is in the stream/.exec(l)?.[1]).find(Boolean);
  tt.equal(qrIn(shown), pairing, `the view has the pairing code (handed to the worker ${drawn} ms after the request; read from a snapshot after ${ms} ms)`);
  tt.ok(isCardColour(shown, 20, 20), 'in the card at the top left');
  tt.notOk(isCardColour(shown, shown.width - 20, shown.height - 20), 'the picture goes on beside it');
  tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing', 'still playing');

  await sleep(Math.max(0, asked + 5600 - Date.now()));
  const after = await view(d);
  tt.equal(qrIn(after), null, 'after its seconds the card is gone');
  tt.notOk(isCardColour(after, 20, 20), 'and the stream is back at the top left');
});

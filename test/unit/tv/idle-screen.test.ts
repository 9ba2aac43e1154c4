// The idle picture's QR code decodes with an independent library, and the
// words put into pango markup cannot be turned into markup by a device name.
import t from 'tap';
import jsQR from 'jsqr';
import { DIM, IDLE_HEIGHT, IDLE_WIDTH, renderIdleImage, renderStillImage } from '../../../src/gst/worker/card-images';
import { pangoEscape, wrap } from '../../../src/tv/card-text';

t.test('the rendered QR code decodes to the pairing URL', async (t) => {
  const url = 'http://192.168.1.20:8080/pair?code=AbCdEfGhIjKlMnOpQrStUv';
  const img = renderIdleImage(url);
  t.equal(img.length, IDLE_WIDTH * IDLE_HEIGHT * 4);
  const code = jsQR(new Uint8ClampedArray(img.buffer, img.byteOffset, img.length), IDLE_WIDTH, IDLE_HEIGHT);
  t.equal(code?.data, url);
});

t.test('pango markup is escaped', async (t) => {
  t.equal(pangoEscape(`<b>&'"`), '&lt;b&gt;&amp;&apos;&quot;');
  t.notMatch(pangoEscape('Room <span foreground="red">x</span>'), /<span foreground/, 'a name cannot add markup');
});

t.test('wrap keeps lines short without losing words', async (t) => {
  const s = 'The stream stopped: reconnecting failed several times. Check the stream.';
  const lines = wrap(s, 20).split('\n');
  t.ok(lines.every((l) => l.length <= 20));
  t.equal(lines.join(' '), s);
  t.equal(wrap('一二三四五六七八九十', 4), '一二三四\n五六七八\n九十');
});

t.test('the still card for a drop: the small copy scaled to the screen, dimmed, under the band', async (t) => {
  // A 4x2 copy: left half red (200,0,0), right half a grey of 100.
  const rgba = Buffer.alloc(4 * 2 * 4);
  for (let y = 0; y < 2; y++) {
    for (let x = 0; x < 4; x++) {
      const o = (y * 4 + x) * 4;
      rgba.set(x < 2 ? [200, 0, 0, 255] : [100, 100, 100, 255], o);
    }
  }
  const w = 160;
  const h = 90;
  const img = renderStillImage({ width: 4, height: 2, rgba }, w, h, 20);
  t.equal(img.length, w * h * 4, 'the screen size');
  const px = (x: number, y: number) => [...img.subarray((y * w + x) * 4, (y * w + x) * 4 + 4)];
  t.same(px(5, 60), [Math.round(200 * DIM), 0, 0, 255], 'the left: red, dimmed');
  t.same(px(150, 60), [Math.round(100 * DIM), Math.round(100 * DIM), Math.round(100 * DIM), 255], 'the right: grey, dimmed');
  const mid = px(80, 60);
  t.ok(mid[0]! < 200 * DIM && mid[0]! > 100 * DIM && mid[1]! > 0, `in between, blended (${mid.join(',')})`);
  t.same(px(80, 5), [0x0f, 0x1e, 0x36, 255], 'the band at the top in the card colour');
  t.same(px(80, 19), [0x25, 0x63, 0xeb, 255], 'its accent line at its foot');
  const none = renderStillImage({ width: 0, height: 0, rgba: Buffer.alloc(0) }, w, h, 20);
  t.same([...none.subarray((60 * w + 5) * 4, (60 * w + 5) * 4 + 4)], [0x0f, 0x1e, 0x36, 255], 'no usable copy: the card colour, never garbage');
});

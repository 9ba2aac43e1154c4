// The idle picture's QR code decodes with an independent library, and the
// words put into pango markup cannot be turned into markup by a device name.
import t from 'tap';
import jsQR from 'jsqr';
import { IDLE_HEIGHT, IDLE_WIDTH, renderIdleImage } from '../../../src/gst/worker/card-images';
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

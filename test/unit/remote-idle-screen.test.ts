// The idle picture's QR code decodes with an independent library, and the
// words put into pango markup cannot be turned into markup by a device name.
import t from 'tap';
import jsQR from 'jsqr';
import { IDLE_HEIGHT, IDLE_WIDTH, idleTexts, pangoEscape, renderIdleImage, statusWords, wrap } from '../../src/tv/idle-screen';

t.test('the rendered QR code decodes to the pairing URL', async (t) => {
  const url = 'http://192.168.1.20:8080/pair?code=AbCdEfGhIjKlMnOpQrStUv';
  const img = renderIdleImage(url);
  t.equal(img.length, IDLE_WIDTH * IDLE_HEIGHT * 4);
  const code = jsQR(new Uint8ClampedArray(img.buffer, img.byteOffset, img.length), IDLE_WIDTH, IDLE_HEIGHT);
  t.equal(code?.data, url);
});

t.test('pango markup is escaped', async (t) => {
  t.equal(pangoEscape(`<b>&'"`), '&lt;b&gt;&amp;&apos;&quot;');
  const { title } = idleTexts({ name: 'Room <span foreground="red">x</span>', controlUrl: 'http://h/', state: 'idle', lastCode: null });
  t.notMatch(title, /<span foreground/, 'a name cannot add markup');
});

t.test('status words say what happened and what to do', async (t) => {
  const cases: [Parameters<typeof statusWords>[0], number | null, RegExp, RegExp][] = [
    ['error', -2301, /stream stopped.*press Play on the phone/i, /老师.*播放/],
    ['error', 3002, /3002.*RTMP server connection failed.*press Play/, /3002/],
    ['stopped', 2006, /ended/, /结束/],
    ['stopped', 2005, /Stopped/, /停止/],
    ['idle', null, /Scan the code/, /扫描/],
  ];
  for (const [state, code, en, zh] of cases) {
    const w = statusWords(state, code);
    t.match(w.en, en, `${state} ${code} en`);
    t.match(w.zh, zh, `${state} ${code} zh`);
  }
});

t.test('wrap keeps lines short without losing words', async (t) => {
  const s = 'The stream stopped: reconnecting failed several times. Check the stream.';
  const lines = wrap(s, 20).split('\n');
  t.ok(lines.every((l) => l.length <= 20));
  t.equal(lines.join(' '), s);
  t.equal(wrap('一二三四五六七八九十', 4), '一二三四\n五六七八\n九十');
});

// When the RTMP client acknowledges what it read: every read while a stream
// starts, then once per half window.
import t from 'tap';
import { AckPolicy, DEFAULT_WINDOW, PROMPT_AFTER_KEY_FRAME_MS } from '../../../src/media/rtmp/ack-policy';

function policy() {
  let now = 0;
  const p = new AckPolicy(() => now);
  return { p, advance: (ms: number) => (now += ms) };
}

t.test('before the first key frame every read is acknowledged, each byte count once', async (t) => {
  const { p, advance } = policy();
  t.equal(p.afterRead(3073), 3073);
  t.equal(p.afterRead(3073), null, 'no new bytes, no Acknowledgement');
  advance(60_000);
  t.equal(p.afterRead(3200), 3200, 'still prompt a minute in: no key frame yet (audio only, or a slow GOP)');
});

t.test(`for ${PROMPT_AFTER_KEY_FRAME_MS} ms after the first key frame reads stay prompt, then follow the half window`, async (t) => {
  const { p, advance } = policy();
  p.afterRead(10_000);
  p.keyFrame();
  advance(PROMPT_AFTER_KEY_FRAME_MS - 1);
  t.equal(p.afterRead(20_000), 20_000, 'within the prompt time');
  advance(1);
  t.equal(p.afterRead(30_000), null, 'prompt time over, far below half a window');
  p.keyFrame();
  t.equal(p.afterRead(40_000), null, 'a later key frame does not reopen the prompt time');
  t.equal(p.afterRead(20_000 + DEFAULT_WINDOW / 2 - 1), null, 'one byte short of half a window since the last');
  t.equal(p.afterRead(20_000 + DEFAULT_WINDOW / 2), 20_000 + DEFAULT_WINDOW / 2, 'half a window since the last');
});

t.test("the server's window sets the pace; nonsense windows are ignored", async (t) => {
  const { p, advance } = policy();
  p.keyFrame();
  advance(PROMPT_AFTER_KEY_FRAME_MS);
  p.setWindow(100_000);
  p.setWindow(0);
  p.setWindow(Number.NaN);
  const sent: number[] = [];
  for (let bytes = 4096; bytes <= 400_000; bytes += 4096) {
    const a = p.afterRead(bytes);
    if (a !== null) sent.push(a);
  }
  t.same(sent, [53_248, 106_496, 159_744, 212_992, 266_240, 319_488, 372_736], 'one every 50,000 bytes or just over, at read boundaries');
});

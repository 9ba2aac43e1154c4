// The RTMP client's Acknowledgements on a real socket: one per read while the
// stream starts (so the server's Nagle never waits on our delayed TCP ACK),
// then one per half of the server's window, not one per read.
import t from 'tap';
import { startHostileRtmp } from '../../helpers/hostile-rtmp';
import { Recorder } from '../../helpers/reader-recorder';
import { sleep } from '../../helpers/time';
import { PROMPT_AFTER_KEY_FRAME_MS } from '../../../src/media/rtmp/ack-policy';

for (const window of [undefined, 200_000]) {
  t.test(`a steady 1.6 Mb/s stream, ${window ? `window ${window} bytes` : 'no window announced'}`, async (t) => {
    const srv = await startHostileRtmp({ mode: 'steady', window });
    t.teardown(() => srv.stop());
    const r = new Recorder(srv.url()).start();
    t.teardown(() => r.close());
    await r.waitFor(() => srv.firstKeyFrameAt > 0, 5000, 'first key frame');
    await sleep(PROMPT_AFTER_KEY_FRAME_MS + 4000);
    t.equal(r.failure, null, 'no failure');
    const key = srv.firstKeyFrameAt;
    const prompt = srv.acks.filter((a) => a.at < key + PROMPT_AFTER_KEY_FRAME_MS - 200);
    // Leave the boundary's reads aside: the client's clock and the server's differ by a read.
    const later = srv.acks.filter((a) => a.at > key + PROMPT_AFTER_KEY_FRAME_MS + 200);
    const laterBytes = later.length ? later[later.length - 1].sequence - later[0].sequence : 0;
    t.comment(`acks: ${prompt.length} while prompt, ${later.length} in the last ~3.8 s; ${r.bytes} bytes read`);
    t.ok(prompt.length >= 20, `while starting, reads are acknowledged as they come (${prompt.length} in ~1.8 s)`);
    const sequences = srv.acks.map((a) => a.sequence);
    t.same(sequences, [...sequences].sort((a, b) => a - b), 'sequence numbers only grow');
    if (!window) {
      t.equal(later.length, 0, 'then none: under half of the 2.5 MB default window was read');
    } else {
      // ~200 KB/s for ~3.8 s against one Acknowledgement per 100 KB.
      t.ok(later.length >= 4 && later.length <= 10, `then one per half window (${later.length} for ${laterBytes} bytes between the first and last)`);
      for (let i = 1; i < later.length; i++) t.ok(later[i].sequence - later[i - 1].sequence >= 100_000, `ack ${i}: ${later[i].sequence - later[i - 1].sequence} bytes after the one before`);
    }
  });
}

// The last line against a frozen picture under "playing": with a long GOP
// (8 s) and every delta frame made undecodable by the proxy, the picture
// stands still for seconds while 25 fps arrive. The worker says 2105,
// re-syncs, and when the picture still stands the daemon starts a fresh
// session (2103): never "playing" over a still picture for more than 5 s.
import t from 'tap';
import { startDaemon } from '../../helpers/daemon';
import { startFaultProxy } from '../../helpers/fault-proxy';
import { publishedStream } from '../../helpers/media-servers';
import { sleep } from '../../helpers/time';

t.setTimeout(180_000);

t.test('a picture frozen while frames arrive is recovered within 5 s, with 2105 then 2103', async (tt) => {
  const { server: nms } = await publishedStream(tt, { server: 'nms', name: 'frozen', pub: { gopSeconds: 8 } });
  const proxy = await startFaultProxy({ targetPort: nms.httpPort });
  tt.teardown(() => proxy.stop());
  const d = await startDaemon({ args: ['--reconnect-attempts', '5'] });
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  await d.api('PATCH', '/api/v1/player', { src: proxy.via(nms.flvUrl('frozen')) });
  await d.api('POST', '/api/v1/player/play');
  await sub.waitFor((e) => e.event === 'state' && e.data.state === 'playing', 30000, 'playing');
  await sleep(3000);
  const from = sub.events.length;
  proxy.flipBytes({ tagType: 9, every: 1, count: 8, where: 'nal-header' });
  await sleep(20000);
  proxy.flipBytes(null);
  const after = sub.events.slice(from);
  // Each tick: was the state "playing" while the picture stood still with frames arriving?
  let state = 'playing';
  let run = 0;
  let longest = 0;
  const line: string[] = [];
  for (const e of after) {
    if (e.event === 'state') {
      state = e.data.state;
      line.push(state);
    } else if (e.event === 'statechange' && e.data.code !== 2005) line.push(String(e.data.code));
    else if (e.event === 'netstatus') {
      const n = e.data.info as Record<string, number>;
      line.push(`${n.renderFPS}fps`);
      run = state === 'playing' && n.renderFPS === 0 && n.videoFPS > 0 ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
  }
  tt.comment(`events after the fault: ${line.join(' ')}`);
  const codes = after.filter((e) => e.event === 'statechange').map((e) => e.data.code as number);
  tt.ok(codes.includes(2105), '2105: the picture froze');
  tt.ok(codes.includes(2103) && codes.indexOf(2105) < codes.indexOf(2103), '2103 after 2105: a fresh session');
  tt.ok(longest <= 5, `never "playing" over a still picture for more than 5 s (longest ${longest} ticks)`);
  await d.api('POST', '/api/v1/player/stop');
});

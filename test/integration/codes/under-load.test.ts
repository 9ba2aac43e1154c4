// Only true codes under load: a clean stream played into ximagesink on a
// private Xvfb while busy loops hold both cores. Frames the decoder skips
// or the sink drops because they are late (QoS) are not decode failures:
// 0 x 2101 and 0 x 2102, and the late frames show in netstatus as
// droppedFrames instead.
import t from 'tap';
import { startDaemon } from '../../helpers/daemon';
import { publishedStream } from '../../helpers/media-servers';
import { startCpuBurners } from '../../helpers/cpu-burners';
import { startXvfb } from '../../helpers/tv';

const PLAY_MS = Number(process.env.LIVEPLAYER_LOAD_PLAY_MS ?? 40000);
t.setTimeout(PLAY_MS + 120_000);

t.test('a clean stream on two busy cores gives no 2101 and no 2102', async (tt) => {
  const x = await startXvfb();
  tt.teardown(() => x.stop());
  const { url } = await publishedStream(tt, { server: 'nginx', name: 'load', pub: { width: 1280, height: 720 } });
  const d = await startDaemon({ args: ['--video-sink', 'x', '--decoder', 'software'], env: { DISPLAY: x.display } });
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  await d.api('PATCH', '/api/v1/player', { src: url });
  await d.api('POST', '/api/v1/player/play');
  await sub.waitForCode(2004, 30000);
  const burners = startCpuBurners(2);
  tt.teardown(() => burners.stop());
  const from = sub.events.length;
  await new Promise((r) => setTimeout(r, PLAY_MS));
  burners.stop();
  const codes = sub.events.slice(from).filter((e) => e.event === 'statechange').map((e) => e.data as { code: number; message: string });
  const nets = sub.events.slice(from).filter((e) => e.event === 'netstatus').map((e) => e.data.info as Record<string, number>);
  const last = nets[nets.length - 1] ?? {};
  const count = (c: number) => codes.filter((x) => x.code === c).length;
  tt.comment(`under load for ${PLAY_MS / 1000} s: 2101 x ${count(2101)}, 2102 x ${count(2102)}, 2105 x ${count(2105)}; last netstatus droppedFrames ${last.droppedFrames}, renderFPS ${last.renderFPS}, videoFPS ${last.videoFPS}`);
  for (const c of codes.filter((x) => x.code === 2101 || x.code === 2102).slice(0, 5)) tt.comment(`${c.code} ${c.message}`);
  tt.equal(count(2101), 0, 'no 2101 for frames that were only late');
  tt.equal(count(2102), 0, 'no 2102 on a clean stream');
  tt.ok(nets.length > PLAY_MS / 2000, 'netstatus kept coming');
  tt.ok(typeof last.droppedFrames === 'number', 'netstatus counts dropped frames apart');
  await d.api('POST', '/api/v1/player/stop');
});

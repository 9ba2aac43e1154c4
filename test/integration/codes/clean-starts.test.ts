// Only true codes over many starts: a clean stream, started and stopped
// again and again (each play is a fresh worker, so each is a fresh decoder
// start, where a stray code would most likely come from), on nginx-rtmp and
// node-media-server over RTMP and HTTP-FLV, fake sinks. 2101 and 2102 mean
// frames a decoder failed: none may appear, and every play must reach its
// first picture and run the once-a-second decode checks for a while.
import t from 'tap';
import { startDaemon } from '../../helpers/daemon';
import { startNginxRtmp, startNodeMediaServer, startPublisher, waitForStream } from '../../helpers/media-servers';

const PLAYS = Number(process.env.LIVEPLAYER_CLEAN_PLAYS ?? 6);
const HOLD_MS = 6000;
t.setTimeout(PLAYS * (HOLD_MS + 35_000) + 60_000);

t.test(`${PLAYS} clean starts give no 2101 and no 2102`, async (tt) => {
  const nginx = await startNginxRtmp();
  tt.teardown(() => nginx.stop());
  const nms = await startNodeMediaServer();
  tt.teardown(() => nms.stop());
  const urls: [string, string][] = [
    ['nginx-rtmp', nginx.rtmpUrl('clean')],
    ['nms-rtmp', nms.rtmpUrl('clean')],
    ['nms-http-flv', nms.flvUrl('clean')],
  ];
  for (const url of [urls[0]![1], urls[1]![1]]) {
    const pub = await startPublisher(url);
    tt.teardown(() => pub.stop());
  }
  for (const [, url] of urls) await waitForStream(url);
  const d = await startDaemon();
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  const seen: string[] = [];
  let checksAfterPicture = 0;
  for (let i = 0; i < PLAYS; i++) {
    const [name, url] = urls[i % urls.length]!;
    const from = sub.events.length;
    await d.api('PATCH', '/api/v1/player', { src: url });
    await d.api('POST', '/api/v1/player/play');
    await sub.waitForCode(2004, 30000, from);
    const picture = sub.events.length;
    await new Promise((r) => setTimeout(r, HOLD_MS));
    await d.api('POST', '/api/v1/player/stop');
    const codes = sub.events.slice(from).filter((e) => e.event === 'statechange').map((e) => e.data as { code: number; message: string });
    for (const c of codes.filter((x) => x.code === 2101 || x.code === 2102)) seen.push(`play ${i + 1} (${name}): ${c.code} ${c.message}`);
    // The decode checks run on the same tick as 2005.
    checksAfterPicture += sub.events.slice(picture).filter((e) => e.event === 'statechange' && e.data.code === 2005).length;
  }
  tt.comment(`${PLAYS} plays of ${HOLD_MS / 1000} s after the first picture: ${seen.length} x 2101/2102; ${checksAfterPicture} decode checks`);
  for (const s of seen) tt.comment(s);
  tt.same(seen, [], 'no 2101 and no 2102 on a clean stream');
  tt.ok(checksAfterPicture >= PLAYS * (HOLD_MS / 1000 - 2), `the decode checks ran after each first picture (${checksAfterPicture})`);
});

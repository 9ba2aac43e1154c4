// `--demo`: the embedded server and test-pattern publisher start inside the
// project and the daemon autoplays them, with no server of the user's own.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { startDaemon } from '../../helpers/daemon';

t.test('--demo plays its own stream', async (tt) => {
  const d = await startDaemon({ args: ['--demo'] });
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  await sub.waitForCode(2004, 20000);
  const view = (await d.api('GET', '/api/v1/player')).body;
  tt.equal(view.state, 'playing');
  tt.match(view.attributes.src, /^rtmp:\/\/127\.0\.0\.1:\d+\/live\/demo$/, 'a loopback-only demo address');
  await sub.waitFor((e) => e.event === 'netstatus' && e.data.info.videoWidth === 640 && e.data.info.videoFPS > 20, 5000, 'the test pattern at 640x360');
  await sub.waitFor((e) => e.event === 'audiovolumenotify' && e.data.volume > 0, 5000, 'the tone is heard');
  const pid = d.proc.pid!;
  await d.stop();
  await new Promise((r) => setTimeout(r, 300));
  const left = execFileSync('ps', ['-eo', 'ppid=,args='], { encoding: 'utf8' }).split('\n').filter((l) => l.trim().startsWith(`${pid} `));
  tt.same(left, [], 'the demo server and publisher end with the daemon');
});

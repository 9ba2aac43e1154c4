// `--demo`: the embedded server and test-pattern publisher start inside the
// project and the daemon autoplays them, with no server of the user's own.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { startDaemon } from '../../helpers/daemon';

t.test('--demo plays its own stream', async (tt) => {
  const d = await startDaemon({ args: ['--demo'] });
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  // The play begins before HTTP listens (the controls wait for its first picture): the state tells.
  let view = (await d.api('GET', '/api/v1/player')).body;
  for (const end = Date.now() + 20000; view.state !== 'playing' && Date.now() < end; await new Promise((r) => setTimeout(r, 200))) view = (await d.api('GET', '/api/v1/player')).body;
  tt.equal(view.state, 'playing');
  // The log on the daemon's pipe can be behind its HTTP answers.
  for (const end = Date.now() + 3000; Date.now() < end && !d.logs().some((l) => /"code":2004\b/.test(l)); ) await new Promise((r) => setTimeout(r, 50));
  tt.ok(d.logs().some((l) => /"code":2004\b/.test(l)), 'its first picture was reported (2004)');
  tt.match(view.attributes.src, /^rtmp:\/\/127\.0\.0\.1:\d+\/live\/demo$/, 'a loopback-only demo address');
  await sub.waitFor((e) => e.event === 'netstatus' && e.data.info.videoWidth === 640 && e.data.info.videoFPS > 20, 5000, 'the test pattern at 640x360');
  await sub.waitFor((e) => e.event === 'audiovolumenotify' && e.data.volume > 0, 5000, 'the tone is heard');
  const pid = d.proc.pid!;
  await d.stop();
  await new Promise((r) => setTimeout(r, 300));
  const left = execFileSync('ps', ['-eo', 'ppid=,args='], { encoding: 'utf8' }).split('\n').filter((l) => l.trim().startsWith(`${pid} `));
  tt.same(left, [], 'the demo server and publisher end with the daemon');
});

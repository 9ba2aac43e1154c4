// Every connection-level status code provoked by a real cause, through the
// real daemon: a name that does not resolve (3001), a closed port (3002), a
// peer that is not RTMP (3003), and an address that is not
// playable (-2302). Codes of a playing stream: stream.test.ts.
import t, { type Test } from 'tap';
import { startDaemon, type RunningDaemon } from '../../helpers/daemon';
import { closedPort, startGarbageServer, startHttpAnswer, startSilentServer } from '../../helpers/tcp-servers';

type T = Test;

/** A daemon that gives up at once, so a failure shows its code and then -2301. */
async function daemon(tt: T, extra: string[] = []): Promise<RunningDaemon> {
  const d = await startDaemon({ args: ['--reconnect-attempts', '0', '--rejoin', 'off', ...extra] });
  tt.teardown(() => d.stop());
  return d;
}

async function playExpect(tt: T, src: string, code: number, message: RegExp, extra: string[] = []) {
  const d = await daemon(tt, extra);
  const sub = await d.subscribe();
  await d.api('PATCH', '/api/v1/player', { src });
  await d.api('POST', '/api/v1/player/play');
  const ev = await sub.waitForCode(code, 15000);
  tt.match(ev.data.message, message, `${code}: ${ev.data.message}`);
  tt.notOk(sub.codes().includes(2004), 'nothing played');
  return { d, sub };
}

t.test('3001: the host name does not resolve', async (tt) => {
  const { d, sub } = await playExpect(tt, 'rtmp://no-such-host.invalid/live/x', 3001, /no-such-host\.invalid/);
  await sub.waitForCode(-2301, 5000);
  tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'error', 'state says it gave up');
});

t.test('3001 for HTTP-FLV too (the reader does its own lookup)', async (tt) => {
  await playExpect(tt, 'http://no-such-host.invalid/live/x.flv', 3001, /no-such-host\.invalid/);
});

t.test('3002: the port is closed', async (tt) => {
  const port = await closedPort();
  await playExpect(tt, `rtmp://127.0.0.1:${port}/live/x`, 3002, /ECONNREFUSED/);
});

t.test('3003: the peer answers garbage and closes', async (tt) => {
  const g = await startGarbageServer({ close: true });
  tt.teardown(() => g.stop());
  await playExpect(tt, `rtmp://127.0.0.1:${g.port}/live/x`, 3003, /./);
});

t.test('3003: the peer answers garbage and stays open', async (tt) => {
  const g = await startGarbageServer({ close: false });
  tt.teardown(() => g.stop());
  await playExpect(tt, `rtmp://127.0.0.1:${g.port}/live/x`, 3003, /./);
});

t.test('3003: a silent server never completes the handshake', async (tt) => {
  const s = await startSilentServer();
  tt.teardown(() => s.stop());
  await playExpect(tt, `rtmp://127.0.0.1:${s.port}/live/x`, 3003, /./);
});

t.test('-2302: an HTTP-FLV address that answers 404', async (tt) => {
  const s = await startHttpAnswer(404, 'not here');
  tt.teardown(() => s.stop());
  const { d } = await playExpect(tt, `http://127.0.0.1:${s.port}/live/x.flv`, -2302, /404/);
  tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'error');
});


// Each failure code the readers report, provoked by a real fault on a real
// socket: the code, the kind, a detail that names what was seen, and the
// time it took (first-hand evidence arrives at once; only silence waits).
import t, { type Test } from 'tap';
import { publishedStream, startNginxRtmp, startNodeMediaServer } from '../../helpers/media-servers';
import {
  closedPort,
  startGarbageServer,
  startHttpAnswer,
  startBrokenFlvServer,
  startSilentServer,
  startUnacceptingServer,
  type TestServer,
} from '../../helpers/tcp-servers';
import { Recorder } from '../../helpers/reader-recorder';


async function failure(tt: Test, url: string, opts: { connectTimeoutMs?: number; handshakeTimeoutMs?: number } = {}, waitMs = 8000) {
  const r = new Recorder(url, opts).start();
  tt.teardown(() => r.close());
  await r.waitFor(() => r.finished, waitMs, `failure from ${url}`);
  tt.equal(r.ended, null, 'not reported as a clean end');
  return { r, f: r.failure! };
}

async function server(tt: Test, s: Promise<TestServer>): Promise<TestServer> {
  const srv = await s;
  tt.teardown(() => srv.stop());
  return srv;
}

for (const scheme of ['rtmp', 'http'] as const) {
  const path = scheme === 'rtmp' ? '/live/s' : '/live/s.flv';

  t.test(`${scheme}: a name that does not resolve → 3001 at once`, async (tt) => {
    const { r, f } = await failure(tt, `${scheme}://no-such-host.invalid${path}`);
    tt.match(f, { code: 3001, kind: 'dns', detail: /no-such-host\.invalid/ });
    tt.equal(r.connected, null, 'never connected');
    tt.ok(f.at < 3000, `reported after ${f.at.toFixed(0)} ms`);
  });

  t.test(`${scheme}: a closed port → 3002 refused at once`, async (tt) => {
    const port = await closedPort();
    const { f } = await failure(tt, `${scheme}://127.0.0.1:${port}${path}`);
    tt.match(f, { code: 3002, kind: 'refused', detail: `ECONNREFUSED 127.0.0.1:${port}` });
    tt.ok(f.at < 1500, `reported after ${f.at.toFixed(1)} ms`);
  });

  t.test(`${scheme}: no SYN-ACK (accept queue full) → 3002 connect-timeout after connectTimeoutMs`, async (tt) => {
    const srv = await server(tt, startUnacceptingServer());
    const { f } = await failure(tt, `${scheme}://127.0.0.1:${srv.port}${path}`, { connectTimeoutMs: 600 });
    tt.match(f, { code: 3002, kind: 'connect-timeout', detail: new RegExp(`127\\.0\\.0\\.1:${srv.port} within 600 ms`) });
    tt.ok(f.at >= 590 && f.at < 2500, `reported after ${f.at.toFixed(0)} ms`);
  });

  for (const close of [true, false]) {
    t.test(`${scheme}: a peer answering garbage (${close ? 'then closing' : 'staying open'}) → ${scheme === 'rtmp' ? '3003' : 'an HTTP failure'} at once`, async (tt) => {
      const srv = await server(tt, startGarbageServer({ close }));
      const { f } = await failure(tt, `${scheme}://127.0.0.1:${srv.port}${path}`, { handshakeTimeoutMs: 5000 });
      // 3003 names RTMP: an HTTP failure has no code of its own and says HTTP.
      tt.match(f, { code: scheme === 'rtmp' ? 3003 : null, kind: 'handshake' });
      tt.match(f.detail, scheme === 'rtmp' ? /does not speak RTMP/ : /^HTTP: the peer .* did not speak HTTP/);
      // The peer's bytes are for the debug log, never the status message.
      tt.notMatch(f.detail, /[0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2}/, 'no peer bytes in the message');
      tt.ok(f.at < 2500, `reported after ${f.at.toFixed(0)} ms, long before the 5 s handshake timeout`);
    });
  }

  t.test(`${scheme}: a silent server → ${scheme === 'rtmp' ? '3003' : 'an HTTP failure'} after handshakeTimeoutMs`, async (tt) => {
    const srv = await server(tt, startSilentServer());
    const { r, f } = await failure(tt, `${scheme}://127.0.0.1:${srv.port}${path}`, { handshakeTimeoutMs: 700 });
    tt.match(f, { code: scheme === 'rtmp' ? 3003 : null, kind: 'handshake', detail: scheme === 'rtmp' ? /within 700 ms/ : /^HTTP: no response .*within 700 ms/ });
    tt.ok(f.at >= 690 && f.at < 2500, `reported after ${f.at.toFixed(0)} ms`);
    // HTTP counts as connected once TCP is up; RTMP only after its handshake and connect.
    tt.equal(r.connected !== null, scheme === 'http', 'connected() only where TCP is the whole connection');
  });

  t.test(`${scheme}: close() before the timeout silences the reader`, async (tt) => {
    const srv = await server(tt, startSilentServer());
    const r = new Recorder(`${scheme}://127.0.0.1:${srv.port}${path}`, { handshakeTimeoutMs: 300 }).start();
    await new Promise((res) => setTimeout(res, 100));
    r.close();
    r.close();
    await new Promise((res) => setTimeout(res, 600));
    tt.equal(r.failure, null, 'no failure after close()');
    tt.equal(srv.connections, 1);
  });
}

t.test('an unsupported scheme → -2302 before any network activity', async (tt) => {
  const { f } = await failure(tt, 'ftp://127.0.0.1/live/s');
  tt.match(f, { code: -2302, detail: /scheme ftp:/ });
});

const httpCases = [
  { status: 404, code: -2302, body: 'not found' },
  { status: 403, code: -2302, body: 'forbidden' },
  { status: 503, code: 3002, body: 'busy' },
];
for (const c of httpCases) {
  t.test(`http: status ${c.status} → ${c.code} http-status`, async (tt) => {
    const srv = await server(tt, startHttpAnswer(c.status, c.body));
    const { f } = await failure(tt, `http://127.0.0.1:${srv.port}/live/s.flv`);
    tt.match(f, { code: c.code, kind: 'http-status', detail: new RegExp(`^HTTP ${c.status} .* from 127\\.0\\.0\\.1:${srv.port}$`) });
    tt.notMatch(f.detail, c.body, 'the body is not quoted');
    tt.match(f.debug, new RegExp(`status line: ${c.status}`), 'the status line is kept for the debug log');
  });
}

t.test('http: 200 with a body that is not FLV → -2302 not-flv', async (tt) => {
  const srv = await server(tt, startHttpAnswer(200, '<html><body>hello</body></html>', 'text/html'));
  const { r, f } = await failure(tt, `http://127.0.0.1:${srv.port}/live/s.flv`);
  tt.match(f, { code: -2302, kind: 'not-flv', detail: /^HTTP 200 OK from .*: the body is not FLV/ });
  tt.notMatch(f.detail, /text\/html|3c 68 74 6d/, 'neither the content type nor the bytes are quoted');
  tt.match(f.debug, /text\/html.*3c 68 74 6d/, 'both go to the debug log');
  tt.equal(r.startedAt, null, 'never started');
});

for (const how of ['reset', 'fin'] as const) {
  t.test(`http: the body broken mid-stream by a ${how === 'reset' ? 'TCP RST' : 'FIN without the chunked terminator'} → an HTTP-FLV read failure`, async (tt) => {
    const srv = await server(tt, startBrokenFlvServer(how));
    const { r, f } = await failure(tt, `http://127.0.0.1:${srv.port}/live/s.flv`);
    tt.equal(r.tags.length, 5, 'the tags before the break were delivered');
    tt.same(r.order.slice(0, 3), ['connected', 'started', 'tag'], 'started() precedes tags that came in the same read');
    tt.match(f, how === 'reset' ? { code: null, kind: 'read', detail: /^HTTP-FLV: ECONNRESET 127\.0\.0\.1/ } : { code: null, kind: 'closed', detail: /^HTTP-FLV: / });
  });
}

t.test('node-media-server: 404 for a path it does not serve → -2302', async (tt) => {
  const nms = await startNodeMediaServer();
  tt.teardown(() => nms.stop());
  const { f } = await failure(tt, `http://127.0.0.1:${nms.httpPort}/live/s.mp4`);
  tt.match(f, { code: -2302, kind: 'http-status', detail: /^HTTP 404 Not Found/ });
});

t.test('nginx-rtmp: an unknown application → 3003 (nginx drops the connection instead of answering _error)', async (tt) => {
  const nginx = await startNginxRtmp();
  tt.teardown(() => nginx.stop());
  const { r, f } = await failure(tt, `rtmp://127.0.0.1:${nginx.port}/nosuchapp/s`);
  tt.match(f, { code: 3003, kind: 'handshake', detail: /during the RTMP connect/ });
  tt.equal(r.connected, null);
});

t.test('TLS to a server that does not speak it → 3003', async (tt) => {
  // nginx-rtmp takes the ClientHello for the start of C0+C1 and waits for the rest: only the timer can tell.
  const nginx = await startNginxRtmp();
  tt.teardown(() => nginx.stop());
  const a = await failure(tt, `rtmps://127.0.0.1:${nginx.port}/live/s`, { handshakeTimeoutMs: 800 });
  tt.match(a.f, { code: 3003, kind: 'handshake', detail: /^no TLS handshake reply from 127\.0\.0\.1:\d+ within 800 ms/ });
  // node-media-server's HTTP server answers the ClientHello with a plain 400: TLS fails at once.
  const nms = await startNodeMediaServer();
  tt.teardown(() => nms.stop());
  const b = await failure(tt, `https://127.0.0.1:${nms.httpPort}/live/s.flv`, { handshakeTimeoutMs: 5000 });
  tt.match(b.f, { code: null, kind: 'handshake', detail: /^HTTP: EPROTO from 127\.0\.0\.1:\d+ before a response/ });
  tt.ok(b.f.at < 2500, `https: at once (${b.f.at.toFixed(0)} ms), not by the timer`);
});

t.test('nginx-rtmp killed (SIGKILL) mid-stream → 3005', async (tt) => {
  const { server: nginx } = await publishedStream(tt, { server: 'nginx', name: 'k' });
  const r = new Recorder(nginx.rtmpUrl('k')).start();
  tt.teardown(() => r.close());
  await r.waitFor(() => r.tags.length >= 10, 5000, 'tags before the kill');
  nginx.managed.proc.kill('SIGKILL');
  await r.waitFor(() => r.finished, 5000, 'failure after the kill');
  tt.match(r.failure, { code: 3005, kind: /^(closed|read)$/, detail: new RegExp(`127\\.0\\.0\\.1:${nginx.port}`) });
  tt.equal(r.ended, null, 'a dead server is not a stopped publisher');
});

t.test('node-media-server killed (SIGKILL) mid-stream → 3005 on RTMP, an HTTP-FLV read failure on HTTP-FLV', async (tt) => {
  const { server: nms } = await publishedStream(tt, { server: 'nms', name: 'k' });
  const readers = [new Recorder(nms.rtmpUrl('k')).start(), new Recorder(nms.flvUrl('k')).start()];
  for (const r of readers) tt.teardown(() => r.close());
  for (const r of readers) await r.waitFor(() => r.tags.length >= 10, 5000, `tags from ${r.url}`);
  nms.managed.proc.kill('SIGKILL');
  for (const r of readers) {
    await r.waitFor(() => r.finished, 5000, `failure from ${r.url}`);
    // 3005 names RTMP; HTTP-FLV says HTTP-FLV with no code of its own.
    tt.match(r.failure, r.url.startsWith('http') ? { code: null, detail: /^HTTP-FLV: / } : { code: 3005 }, `${r.url}: ${r.failure?.kind} "${r.failure?.detail}"`);
  }
});

// Certificates are checked on rtmps and https alike: an untrusted one (a
// private CA not added, a self-signed certificate) is one failure that says
// so, with no reconnect attempts (retrying cannot help); with --ca-file
// naming the CA the same servers play. TLS terminates in front of a real
// node-media-server (RTMP and HTTP-FLV); the certificates are made with
// openssl for the test. A --ca-file that cannot be read or holds no
// certificate stops the daemon at start with exit 2 and one line.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, startDaemon } from '../../helpers/daemon';
import { publishedStream } from '../../helpers/media-servers';
import { makeCerts, startTlsFront } from '../../helpers/tls-front';

t.test('rtmps and https: untrusted is one failure; --ca-file makes them play', { timeout: 240000 }, async (tt) => {
  const certs = makeCerts();
  tt.teardown(() => certs.remove());
  const { server: nms } = await publishedStream(tt, { server: 'nms', name: 'tls', waitMs: 20000 });

  const fronts = {
    rtmps: { ca: await startTlsFront({ targetPort: nms.rtmpPort, key: certs.key, cert: certs.cert }), self: await startTlsFront({ targetPort: nms.rtmpPort, key: certs.selfKey, cert: certs.selfCert }) },
    https: { ca: await startTlsFront({ targetPort: nms.httpPort, key: certs.key, cert: certs.cert }), self: await startTlsFront({ targetPort: nms.httpPort, key: certs.selfKey, cert: certs.selfCert }) },
  };
  for (const f of Object.values(fronts)) for (const s of Object.values(f)) tt.teardown(() => s.stop());
  const url = (scheme: 'rtmps' | 'https', port: number) => (scheme === 'rtmps' ? `rtmps://127.0.0.1:${port}/live/tls` : `https://127.0.0.1:${port}/live/tls.flv`);

  const plain = await startDaemon({ args: ['--reconnect-attempts', '3', '--reconnect-interval', '0.5'] });
  tt.teardown(() => plain.stop());
  const sub = await plain.subscribe();
  for (const scheme of ['rtmps', 'https'] as const) {
    for (const [which, why] of [['ca', /issuer is not a CA trusted here|not trusted/], ['self', /self-signed/]] as const) {
      const front = fronts[scheme][which];
      const before = front.connections;
      const from = sub.events.length;
      await plain.api('PATCH', '/api/v1/player', { src: url(scheme, front.port) });
      await plain.api('POST', '/api/v1/player/play');
      const err = await sub.waitFor((e) => e.event === 'playererror' && sub.events.indexOf(e) >= from, 15000, `${scheme} ${which}: playererror`);
      tt.match(err.data.errMsg, /TLS: the certificate of 127\.0\.0\.1:\d+ is not trusted/, `${scheme} ${which}: ${err.data.errMsg}`);
      tt.match(err.data.errMsg, why);
      await new Promise((r) => setTimeout(r, 1500));
      const codes = sub.events.slice(from).filter((e) => e.event === 'statechange').map((e) => e.data.code as number);
      tt.notOk(codes.includes(2103) || codes.includes(-2301), `${scheme} ${which}: no reconnect attempts (codes ${codes.join(' ')})`);
      // rtmps: the RTMP handshake failed (3003, with the reason); https has no code of its own.
      tt.equal(codes.includes(3003), scheme === 'rtmps', `${scheme} ${which}: 3003 ${scheme === 'rtmps' ? '' : 'not '}sent`);
      tt.equal(front.connections - before, 1, `${scheme} ${which}: one TLS connection, no retries`);
      tt.equal((await plain.api('GET', '/api/v1/player')).body.state, 'error');
    }
  }
  await plain.stop();

  const trusting = await startDaemon({ args: ['--ca-file', certs.caFile] });
  tt.teardown(() => trusting.stop());
  const sub2 = await trusting.subscribe();
  for (const scheme of ['rtmps', 'https'] as const) {
    const from = sub2.events.length;
    await trusting.api('PATCH', '/api/v1/player', { src: url(scheme, fronts[scheme].ca.port) });
    await trusting.api('POST', '/api/v1/player/play');
    await sub2.waitForCode(2004, 20000, from);
    tt.pass(`${scheme} with --ca-file: playing`);
    await trusting.api('POST', '/api/v1/player/stop');
  }
  // The CA added does not vouch for a self-signed certificate.
  const from = sub2.events.length;
  await trusting.api('PATCH', '/api/v1/player', { src: url('https', fronts.https.self.port) });
  await trusting.api('POST', '/api/v1/player/play');
  const err = await sub2.waitFor((e) => e.event === 'playererror' && sub2.events.indexOf(e) >= from, 15000, 'self-signed with --ca-file');
  tt.match(err.data.errMsg, /self-signed/);
});

t.test('--ca-file / LIVEPLAYER_CA_FILE checked at start: exit 2, one line', async (tt) => {
  const certs = makeCerts();
  tt.teardown(() => certs.remove());
  const notPem = path.join(certs.dir, 'not.pem');
  writeFileSync(notPem, 'hello\n');
  const broken = path.join(certs.dir, 'broken.pem');
  writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  for (const [args, env, says] of [
    [['--ca-file', path.join(certs.dir, 'missing.pem')], {}, /^--ca-file .*missing\.pem: cannot be read \(ENOENT\)/],
    [['--ca-file', notPem], {}, /^--ca-file .*not\.pem: not a PEM file of CA certificates/],
    [[], { LIVEPLAYER_CA_FILE: broken }, /^LIVEPLAYER_CA_FILE .*broken\.pem: certificate 1 is not a valid X\.509 certificate/],
  ] as const) {
    const r = spawnSync(process.execPath, [CLI, '--http', '127.0.0.1:0', '--dbus', 'off', '--state-dir', certs.dir, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20000 });
    tt.equal(r.status, 2, `exit 2 for ${JSON.stringify(args.length ? args : env)}`);
    const lines = r.stderr.trim().split('\n');
    tt.ok(lines.some((l) => says.test(l.replace(/^liveplayerd: /, ''))), `says why: ${r.stderr.trim()}`);
  }
});

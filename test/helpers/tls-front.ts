// TLS in front of a real server, for rtmps and https tests: certificates made
// with openssl in a temporary directory (a private CA and a server
// certificate it signed for 127.0.0.1, plus a self-signed one), and a
// node:tls server on 127.0.0.1 that pipes each connection to the plain port.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import path from 'node:path';
import * as tls from 'node:tls';

export interface TestCerts {
  dir: string;
  caFile: string;
  /** Server key and certificate signed by the test CA, for 127.0.0.1. */
  key: string;
  cert: string;
  /** A self-signed certificate for 127.0.0.1 (and its key). */
  selfKey: string;
  selfCert: string;
  remove(): void;
}

export function makeCerts(): TestCerts {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lp-tls-'));
  const p = (f: string) => path.join(dir, f);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  writeFileSync(p('ext.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=School Test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('srv.key'), '-out', p('srv.csr'), '-subj', '/CN=127.0.0.1');
  ssl('x509', '-req', '-in', p('srv.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('srv.pem'), '-days', '2', '-extfile', p('ext.cnf'));
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('self.key'), '-out', p('self.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1');
  const read = (f: string) => readFileSync(p(f), 'utf8');
  return {
    dir,
    caFile: p('ca.pem'),
    key: read('srv.key'),
    cert: read('srv.pem'),
    selfKey: read('self.key'),
    selfCert: read('self.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface TlsFront {
  port: number;
  /** TLS connections accepted (handshake begun). */
  readonly connections: number;
  stop(): Promise<void>;
}

export async function startTlsFront(o: { targetPort: number; key: string; cert: string }): Promise<TlsFront> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((raw) => {
    connections++;
    sockets.add(raw);
    raw.on('error', () => undefined);
    raw.on('close', () => sockets.delete(raw));
    const t = new tls.TLSSocket(raw, { isServer: true, key: o.key, cert: o.cert });
    t.on('error', () => raw.destroy());
    t.once('secure', () => {
      const up = net.connect(o.targetPort, '127.0.0.1');
      sockets.add(up);
      up.on('error', () => t.destroy());
      up.on('close', () => {
        sockets.delete(up);
        t.destroy();
      });
      t.on('close', () => up.destroy());
      t.pipe(up).pipe(t);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return connections;
    },
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

// Child-process entry that runs node-media-server 2.7.4 for tests; started
// by startNodeMediaServer() in ./media-servers.ts, never imported.
//
// node-media-server listens on fixed ports on every interface. Patching
// net.Server#listen makes every listener bind 127.0.0.1 on a port the OS
// picks; the configured ports are only labels telling RTMP from HTTP.

import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const RTMP_LABEL = 1;
const HTTP_LABEL = 2;
const ports: { rtmp?: number; http?: number } = {};

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function patchedListen(this: net.Server, ...args: unknown[]): net.Server {
  const label = typeof args[0] === 'number' ? args[0] : undefined;
  const cb = args.find((a): a is () => void => typeof a === 'function');
  this.once('listening', () => {
    const port = (this.address() as net.AddressInfo).port;
    if (label === RTMP_LABEL) ports.rtmp = port;
    if (label === HTTP_LABEL) ports.http = port;
    if (ports.rtmp && ports.http) process.send?.({ ready: true, rtmp: ports.rtmp, http: ports.http });
  });
  return (listen as (...a: unknown[]) => net.Server).call(this, 0, '127.0.0.1', cb);
} as typeof net.Server.prototype.listen;

// Dies with the test process, even if it never got to call stop().
process.on('disconnect', () => process.exit(0));

// eslint-disable-next-line @typescript-eslint/no-var-requires
const NodeMediaServer = require('node-media-server');
const nms = new NodeMediaServer({
  logType: Number(process.env.NMS_LOG_TYPE ?? 0),
  rtmp: { port: RTMP_LABEL, chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 },
  http: { port: HTTP_LABEL, allow_origin: '*', mediaroot: path.join(os.tmpdir(), 'nms-media-unused') },
});
nms.run();

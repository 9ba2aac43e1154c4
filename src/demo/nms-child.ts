// Runs node-media-server (RTMP with GOP cache, and HTTP-FLV) in its own
// process for the embedded demo stream. Usage: node nms-child.js RTMP_PORT HTTP_PORT
// It serves only this machine: node-media-server has no bind-address option,
// so listen() calls are pinned to 127.0.0.1 before it starts.
import net from 'node:net';

const [rtmpPort, httpPort] = process.argv.slice(2).map(Number);
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
  if (typeof args[0] === 'number') args.splice(1, 0, '127.0.0.1');
  return (listen as (...a: unknown[]) => net.Server).apply(this, args);
} as typeof listen;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const NodeMediaServer = require('node-media-server');
const nms = new NodeMediaServer({
  logType: 0,
  rtmp: { port: rtmpPort, chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 },
  http: { port: httpPort, allow_origin: '*', mediaroot: '/nonexistent' },
});
nms.run();
process.on('disconnect', () => process.exit(0));

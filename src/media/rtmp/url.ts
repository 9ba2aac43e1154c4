// How an rtmp:// URL becomes the `connect` app, tcUrl and `play` stream name,
// following ffmpeg/librtmp: the first path segment is the application, the
// rest is the stream name, and the query string stays on the stream name
// (nginx-rtmp and node-media-server read tokens from there).

export interface RtmpTarget {
  tls: boolean;
  host: string;
  port: number;
  app: string;
  stream: string;
  tcUrl: string;
}

/** Returns null with a reason when the URL cannot name an RTMP stream. */
export function parseRtmpUrl(raw: string): { ok: true; target: RtmpTarget } | { ok: false; reason: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, reason: `not a URL: ${JSON.stringify(raw.slice(0, 200))}` };
  }
  const tls = u.protocol === 'rtmps:';
  if (!tls && u.protocol !== 'rtmp:') return { ok: false, reason: `not an RTMP URL (scheme ${u.protocol})` };
  if (!u.hostname) return { ok: false, reason: 'RTMP URL without a host' };
  const segments = u.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  if (segments.length < 2) return { ok: false, reason: `RTMP URL path ${u.pathname} lacks an app and a stream name` };
  const app = segments[0];
  const stream = segments.slice(1).join('/') + u.search;
  const port = u.port ? Number(u.port) : tls ? 443 : 1935;
  const tcUrl = `${u.protocol}//${u.host}/${app}`;
  return { ok: true, target: { tls, host: u.hostname, port, app, stream, tcUrl } };
}

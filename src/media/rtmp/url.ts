// How an rtmp:// URL becomes the `connect` app, tcUrl and `play` stream name,
// following ffmpeg's rtmpproto.c (librtmp agrees up to three path segments):
// - one segment after the application: app = it, name = the rest;
// - more: the second segment is an application instance, app = "app/inst",
//   name = everything after it, unless a ':' comes before the next '/'
//   ("mp4:dir/file" is a name, not an instance);
// - a name ending in ".flv" loses the extension, one ending in ".mp4" or
//   ".f4v" without a ':' gets the "mp4:" prefix;
// - the query string stays on the stream name (nginx-rtmp and
//   node-media-server read tokens from there).
// librtmp differs only with four or more segments (it takes up to three as
// the app); ffmpeg's rule is the one used here, see docs/urls.md.

export interface RtmpTarget {
  tls: boolean;
  host: string;
  port: number;
  app: string;
  stream: string;
  tcUrl: string;
}

/** ffmpeg's play path rule for a name taken from the URL. */
export function playPath(fname: string): string {
  if (fname.includes(':')) return fname;
  if (fname.length >= 4 && (fname.endsWith('.f4v') || fname.endsWith('.mp4'))) return `mp4:${fname}`;
  if (fname.length >= 4 && fname.endsWith('.flv')) return fname.slice(0, -4);
  return fname;
}

/** Splits the path (no leading '/', no query) into app and name as ffmpeg does; null when it names no stream. */
export function splitRtmpPath(path: string): { app: string; name: string } | null {
  const p = path.indexOf('/');
  if (p < 0) return null;
  const rest = path.slice(p + 1);
  const nextSlash = rest.indexOf('/');
  const colon = rest.indexOf(':');
  if (nextSlash < 0 || (colon >= 0 && colon < nextSlash)) return { app: path.slice(0, p), name: rest };
  return { app: path.slice(0, p + 1 + nextSlash), name: rest.slice(nextSlash + 1) };
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
  // Empty segments ("//") carry nothing for either side. The split is made on
  // the raw path; percent escapes are decoded afterwards, so "%2F" stays inside a name.
  const path = u.pathname.split('/').filter((s) => s !== '').join('/');
  const split = splitRtmpPath(path);
  if (!split || split.app === '' || split.name === '') return { ok: false, reason: `RTMP URL path ${u.pathname} lacks an app and a stream name` };
  let app: string;
  let name: string;
  try {
    app = decodeURIComponent(split.app);
    name = decodeURIComponent(split.name);
  } catch {
    return { ok: false, reason: `RTMP URL path ${u.pathname} has a broken percent escape` };
  }
  const stream = playPath(name + u.search);
  const port = u.port ? Number(u.port) : tls ? 443 : 1935;
  const tcUrl = `${u.protocol}//${u.host}/${app}`;
  return { ok: true, target: { tls, host: u.hostname, port, app, stream, tcUrl } };
}
